"""Differences between two revisions of a text (a title, summary or body).

Rules:
- Line endings are normalised first ("\\r\\n" and "\\r" become "\\n"): browsers submit
  textareas with CRLF, and a revision should not look wholly changed because of it.
- `unified` is a difflib unified diff whose every line ends in "\\n"; a missing final
  newline is not a difference. Identical texts give "".
- `word_diff_html` diffs sentences first, then words only inside changed runs of
  sentences. Tokens are words or single other characters, each with the white space
  after it, so "quick brown" -> "slow red" is one <del>/<ins> pair, not two. Within a
  change, text both sides start or end with shows as unchanged unless that would
  split a word. All text is HTML-escaped; newlines stay newlines inside a
  `white-space: pre-wrap` <div>.
- Matching work is capped (WORK_BUDGET): on repetitive text difflib would otherwise
  take minutes. Over the cap, what is left shows as one removal and one addition
  (less the words both sides start and end with).
  Two 8 KB texts take a few ms when edited, under ~20 ms in any case.
- `side_by_side` pairs lines for a two-column view (same cap); its text is not
  escaped (the template's autoescaping does that).
- `reference_changes` compares two ordered reference lists by citation, not by text.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from html import escape
from itertools import zip_longest

from editorial.core.extensions import cache

# A token is a word or one other character, with the white space after it (leading
# white space is a token of its own). Keeping white space out of tokens of its own
# matters: in difflib, such frequent tokens would make matching slow (cubic on
# repetitive text) or, as junk, cut every match down to one word.
_TOKEN = re.compile(r"\s+|(?:\w+|[^\w\s])\s*")
# A sentence ends with white space after end punctuation, or with a blank line. Not at
# a single newline: re-wrapping a paragraph should not change every sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n[^\S\n]*\n\s*")
WRAPPER_OPEN = '<div class="word-diff">'  # styled by app.css (.word-diff), no inline style under the CSP
WRAPPER_CLOSE = "</div>"
# Matching steps allowed per word_diff_html or side_by_side call (see _BoundedMatcher);
# a step is a few tenths of a microsecond. Edited 8 KB texts use a few thousand, a
# re-wrapped one ~25,000; two wholly different 8 KB texts need ~90,000 and so show as
# a whole removal and addition, which is the clearer view of a rewrite anyway.
WORK_BUDGET = 50_000


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
    budget = _Budget(WORK_BUDGET)
    out = []
    for op, before, after in _runs(_sentences(_normalise(old)), _sentences(_normalise(new)), budget):
        if op == "equal":
            out.append(escape(before, quote=False))
        elif op == "replace":
            out.extend(_word_level(_words(before), _words(after), budget))
        else:
            out.append(_change(before, after))
    return WRAPPER_OPEN + "".join(out) + WRAPPER_CLOSE


def revision_diff(old, new) -> list[tuple[str, str, bool]]:
    """(label, word diff HTML, changed?) for the title, summary and body of two revisions.

    Revisions never change (the database refuses it), so the diff of two content hashes is
    cached for good: a word diff of two 8 KB bodies costs more than the rest of the page.
    """
    key = f"diff:{old.content_hash}:{new.content_hash}"
    parts = cache.get(key)
    if parts is None:
        parts = [
            (label, word_diff_html(getattr(old, field), getattr(new, field)), getattr(old, field) != getattr(new, field))
            for label, field in (("Title", "title"), ("Summary", "summary"), ("Body", "body"))
        ]
        cache.set(key, parts, timeout=7 * 24 * 3600)
    return parts


@dataclass(frozen=True)
class ReferenceChange:
    """One reference added (at `position`), removed (from `position`) or moved (from_position ->
    to_position); positions count from 1, as readers see the reference numbers."""
    citation: object
    position: int | None = None
    from_position: int | None = None
    to_position: int | None = None

    def as_dict(self) -> dict:
        c = self.citation
        where = {"position": self.position} if self.position is not None else {"from": self.from_position, "to": self.to_position}
        return {"id": c.id, "key": c.key, "formatted": c.formatted, **where}


@dataclass(frozen=True)
class ReferenceChanges:
    added: list[ReferenceChange]
    removed: list[ReferenceChange]
    moved: list[ReferenceChange]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.moved)

    def as_dict(self) -> dict:
        return {name: [c.as_dict() for c in getattr(self, name)] for name in ("added", "removed", "moved")}


def reference_changes(old: list, new: list) -> ReferenceChanges:
    """References added, removed and moved between two ordered lists of citations (anything with
    an `id`). A reference kept on both sides counts as moved only when its order among the kept
    ones changed: one removed above it renumbers it, but nobody moved it."""
    old_ids, new_ids = [c.id for c in old], [c.id for c in new]
    old_at = {i: n for n, i in enumerate(old_ids, start=1)}
    new_at = {i: n for n, i in enumerate(new_ids, start=1)}
    kept_old = [i for i in old_ids if i in new_at]
    kept_new = [i for i in new_ids if i in old_at]
    in_place = set()
    for block in difflib.SequenceMatcher(None, kept_old, kept_new, autojunk=False).get_matching_blocks():
        in_place.update(kept_old[block.a:block.a + block.size])
    return ReferenceChanges(
        added=[ReferenceChange(c, position=new_at[c.id]) for c in new if c.id not in old_at],
        removed=[ReferenceChange(c, position=old_at[c.id]) for c in old if c.id not in new_at],
        moved=[ReferenceChange(c, from_position=old_at[c.id], to_position=new_at[c.id])
               for c in new if c.id in old_at and c.id not in in_place],
    )


def side_by_side(old: str, new: str) -> list[Row]:
    """Rows pairing old and new lines; changed runs are paired line by line."""
    a = [line.rstrip("\n") for line in _lines(old)]
    b = [line.rstrip("\n") for line in _lines(new)]
    rows = []
    for op, i1, i2, j1, j2 in _opcodes(a, b, _Budget(WORK_BUDGET)):
        for i, j in zip_longest(range(i1, i2), range(j1, j2)):
            kind = "delete" if j is None else "insert" if i is None else op
            rows.append(Row(
                kind,
                None if i is None else i + 1, None if i is None else a[i],
                None if j is None else j + 1, None if j is None else b[j],
            ))
    return rows


def _word_level(a: list[str], b: list[str], budget: _Budget) -> list[str]:
    out = []
    for op, before, after in _runs(a, b, budget):
        if op == "replace":
            # Tokens carry their white space, so "one\n" -> "one\n\n" is a replaced
            # token; show only the part that changed, cut at word boundaries.
            head, tail = _shared_ends(before, after)
            out.append(escape(before[:head], quote=False))
            out.append(_change(before[head:len(before) - tail], after[head:len(after) - tail]))
            out.append(escape(before[len(before) - tail:], quote=False))
        elif op == "equal":
            out.append(escape(before, quote=False))
        else:
            out.append(_change(before, after))
    return out


def _shared_ends(before: str, after: str) -> tuple[int, int]:
    """Lengths of the common prefix and suffix of two texts, never splitting a word."""
    limit = min(len(before), len(after))
    head = 0
    while head < limit and before[head] == after[head]:
        head += 1
    while head and _splits_word(before, after, head):
        head -= 1
    tail = 0
    while tail < limit - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    while tail and _splits_word(before, after, len(before) - tail, len(after) - tail):
        tail -= 1
    return head, tail


def _splits_word(before: str, after: str, cut: int, cut_after: int | None = None) -> bool:
    """Whether cutting `before` at `cut` (and `after` at `cut_after`) falls inside a word."""
    cut_after = cut if cut_after is None else cut_after
    return any(
        0 < at < len(text) and _is_word_char(text[at - 1]) and _is_word_char(text[at])
        for text, at in ((before, cut), (after, cut_after))
    )


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _runs(a: list[str], b: list[str], budget: _Budget) -> list[tuple[str, str, str]]:
    """(op, old text, new text) runs, in order."""
    return [(op, "".join(a[i1:i2]), "".join(b[j1:j2])) for op, i1, i2, j1, j2 in _opcodes(a, b, budget)]


def _opcodes(a: list[str], b: list[str], budget: _Budget) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes; a single "replace" of everything once over budget."""
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    try:
        return _BoundedMatcher(a, b, budget).get_opcodes()
    except _OverBudget:
        return [("replace", 0, len(a), 0, len(b))]


class _OverBudget(Exception):
    pass


class _Budget:
    def __init__(self, steps: int):
        self.left = steps


class _BoundedMatcher(difflib.SequenceMatcher):
    """difflib's matcher, stopped (by _OverBudget) once its work passes the budget.

    Each find_longest_match call scans, for every item of a[alo:ahi], the positions of
    that item in b; on repetitive text (few distinct tokens) that is cubic overall.
    The cost charged is an upper bound of those steps, computed before the call.
    """

    def __init__(self, a: list[str], b: list[str], budget: _Budget):
        super().__init__(None, a, b, autojunk=False)
        counts = Counter(b)
        self._row_cost = [1 + counts[item] for item in a]
        self._budget = budget

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        self._budget.left -= sum(self._row_cost[alo:ahi])
        if self._budget.left < 0:
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, bhi)


def _change(removed: str, added: str) -> str:
    html = ""
    if removed:
        html += f"<del>{escape(removed, quote=False)}</del>"
    if added:
        html += f"<ins>{escape(added, quote=False)}</ins>"
    return html


def _sentences(text: str) -> list[str]:
    """Sentences, each keeping the white space after it; they join back to `text`."""
    parts, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        parts.append(text[start:end.end()])
        start = end.end()
    if start < len(text):
        parts.append(text[start:])
    return parts


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str, complete: bool = False) -> list[str]:
    """Lines keeping their "\\n"; with `complete`, the last one gets one too."""
    lines = _normalise(text).split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1] + "\n" if complete else lines[-1])
    return result


def _one_line(label: str) -> str:
    return " ".join(label.split())
