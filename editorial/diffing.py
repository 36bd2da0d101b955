"""Differences between two revisions of a text (a title, summary or body).

Rules:
- Line endings are normalised first ("\\r\\n" and "\\r" become "\\n"): browsers submit
  textareas with CRLF, and a revision should not look wholly changed because of it.
- `unified` is a difflib unified diff whose every line ends in "\\n"; a missing final
  newline is not a difference. Identical texts give "".
- `word_diff_html` diffs lines first, then words only inside changed runs of lines,
  which keeps two 8 KB texts well under 20 ms. Tokens are runs of word characters,
  runs of white space, and single other characters. White space between two changes
  joins them, so "quick brown" -> "slow red" is one <del>/<ins> pair, not two. All
  text is HTML-escaped; newlines stay newlines inside a `white-space: pre-wrap` <div>.
- `side_by_side` pairs lines for a two-column view; its text is not escaped (the
  template's autoescaping does that).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape
from itertools import zip_longest

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# A sentence runs to end punctuation plus the white space after it, or to a newline.
_SENTENCE = re.compile(r".+?(?:[.!?]+(?:\s+|\Z)|\n|\Z)", re.S)
WRAPPER_OPEN = '<div class="word-diff" style="white-space: pre-wrap">'
WRAPPER_CLOSE = "</div>"


@dataclass(frozen=True)
class Row:
    """One row of a side-by-side view; a side is None where it has no line."""
    kind: str  # "equal", "replace", "delete" or "insert"
    old_number: int | None
    old_text: str | None
    new_number: int | None
    new_text: str | None


def unified(old: str, new: str, from_label: str, to_label: str, context: int = 3) -> str:
    """A unified diff of two texts, with `context` lines around each change."""
    return "".join(difflib.unified_diff(
        _lines(old, complete=True), _lines(new, complete=True),
        fromfile=_one_line(from_label), tofile=_one_line(to_label), n=context,
    ))


def word_diff_html(old: str, new: str) -> str:
    """Inline HTML diff: removed text in <del>, added text in <ins>, the rest as is."""
    return WRAPPER_OPEN + "".join(_diff(_lines(old), _lines(new), 0)) + WRAPPER_CLOSE


def side_by_side(old: str, new: str) -> list[Row]:
    """Rows pairing old and new lines; changed runs are paired line by line."""
    old_lines = [line.rstrip("\n") for line in _lines(old)]
    new_lines = [line.rstrip("\n") for line in _lines(new)]
    rows = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = zip_longest(range(i1, i2), range(j1, j2))
        for i, j in pairs:
            kind = op if op != "replace" else ("replace" if i is not None and j is not None
                                               else "delete" if j is None else "insert")
            rows.append(Row(
                kind,
                None if i is None else i + 1, None if i is None else old_lines[i],
                None if j is None else j + 1, None if j is None else new_lines[j],
            ))
    return rows


def _diff(a: list[str], b: list[str], level: int) -> list[str]:
    """Diff two token lists; replaced runs are diffed again one level finer
    (lines, then sentences, then words), so each SequenceMatcher stays small."""
    if level == len(_SPLITTERS):
        return _word_level(a, b)
    out = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(escape(before, quote=False))
        elif op == "replace":
            out.extend(_diff(_SPLITTERS[level](before), _SPLITTERS[level](after), level + 1))
        else:
            out.append(_change(before, after))
    return out


def _word_level(a: list[str], b: list[str]) -> list[str]:
    out = []
    pending = ["", ""]  # removed and added text of the change being gathered
    codes = _opcodes(a, b)
    for index, (op, i1, i2, j1, j2) in enumerate(codes):
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        # White space between two changes joins them into one.
        if op == "equal" and not (0 < index < len(codes) - 1 and before.isspace()):
            out.append(_change(*pending))
            pending = ["", ""]
            out.append(escape(before, quote=False))
        else:
            pending[0] += before
            pending[1] += after
    out.append(_change(*pending))
    return out


def _opcodes(a: list[str], b: list[str]):
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _change(removed: str, added: str) -> str:
    html = ""
    if removed:
        html += f"<del>{escape(removed, quote=False)}</del>"
    if added:
        html += f"<ins>{escape(added, quote=False)}</ins>"
    return html


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE.findall(text) if part]


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


_SPLITTERS = (_sentences, _words)  # finer and finer: applied to replaced runs of lines


def _lines(text: str, complete: bool = False) -> list[str]:
    """Lines keeping their "\\n"; with `complete`, the last one gets one too."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1] + "\n" if complete else lines[-1])
    return result


def _one_line(label: str) -> str:
    return " ".join(label.split())
