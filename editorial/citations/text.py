"""Text clean-up shared by the importers, keys and fingerprints.

Rules:
- ``clean_text`` turns any imported value into one tidy line: HTML entities decoded,
  inline markup tags (<i>, <sub>, <scp>, MathML...) removed, control characters dropped,
  Unicode NFC-normalised, whitespace collapsed, and UTF-8-read-as-Latin-1 mojibake repaired.
  Only known inline tags are removed: medical titles contain "<" and ">" as text
  ("IL-6 <10 pg/mL"), so a generic tag stripper would eat real words.
- ``latex_to_text`` decodes LaTeX accents and escapes (BibTeX, and LaTeX pasted into
  CSL-JSON) with pylatexenc.
- ``ascii_fold`` drops diacritics for keys ("Müller" -> "Muller").
"""
from __future__ import annotations

import html
import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text

# Inline tags seen in publisher metadata (Crossref JATS, PubMed, EndNote exports).
_INLINE_TAG = re.compile(
    r"</?(?:i|b|em|strong|sub|sup|span|scp|sc|u|p|br|a|div|font|small|"
    r"(?:jats|mml):[a-z]+|math|italic|bold)(?:\s[^<>]{0,500})?\s*/?>",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
# Characters that only appear when UTF-8 bytes were decoded as Latin-1/cp1252.
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]|â€")
# Heuristic: a backslash macro or an accent command in braces means LaTeX.
# An accent command ("\\'o"), a command with an argument ("\\emph{"), "{\\" or "$\\": not a lone backslash ("C:\\path").
_LATEX_HINT = re.compile(r"\\['`\"^~=.]|\\[a-zA-Z]+\{|\{\\|\$\\")
# BibTeX exports write "50% of" unescaped; LaTeX would read the rest as a comment.
_BARE_PERCENT = re.compile(r"(?<!\\)%")

# Text boxes inside math lose their text in pylatexenc ("2\\({}^{\\mbox{k}}\\)" -> "2^"): unbox them first.
_TEXT_BOX = re.compile(r"\\(?:mbox|text|textrm|mathrm|rm)\s*\{([^{}]*)\}")
_ORDINAL_SUPERSCRIPT = re.compile(r"(\d)\^\{?(st|nd|rd|th)\}?\b")  # "5^th" -> "5th"

_latex = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)

_FOLD_EXTRA = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "œ": "oe", "Œ": "OE", "ı": "i",
})


def _drop_controls(value: str) -> str:
    # Cc = C0/C1 controls (NUL, escape, ...); tabs and newlines become spaces first.
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")


def repair_mojibake(value: str) -> str:
    """Undo UTF-8 text that was decoded as Latin-1, up to twice ("Ã¢Â\\x80Â\\x98" -> "‘").

    Conservative: only applied when the hint pattern is present and the round trip
    decodes cleanly as UTF-8; anything else is returned unchanged.
    """
    for _ in range(2):
        if not _MOJIBAKE_HINT.search(value):
            break
        for codec in ("latin-1", "cp1252"):  # cp1252 for "â€™"-style damage
            try:
                value = value.encode(codec).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        else:
            break
    return value


def clean_text(value: object) -> str:
    """One tidy line of text from any imported value ("" for None)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = repair_mojibake(text)
    text = html.unescape(text)
    text = _INLINE_TAG.sub("", text)
    text = _SPACES.sub(" ", text)  # also turns tabs/newlines into spaces before dropping controls
    text = _drop_controls(text)
    text = unicodedata.normalize("NFC", text)
    return text.strip()


def looks_like_latex(value: str) -> bool:
    return bool(_LATEX_HINT.search(value))


def latex_to_text(value: str) -> str:
    """Decode LaTeX markup to Unicode; never raises (returns the input on failure).

    ``quotes'' become curly quotes; a superscript keeps its text ("Radix-2^k"), and an
    ordinal's is joined to its number ("5th")."""
    value = value.replace("``", "\u201c").replace("''", "\u201d")
    if "\\" not in value and "{" not in value and "$" not in value:
        return value
    try:
        text = _latex.latex_to_text(_BARE_PERCENT.sub(r"\\%", _TEXT_BOX.sub(r"{\1}", value)))
    except Exception:  # pylatexenc is lenient, but hostile input must not break an import
        return value
    return _ORDINAL_SUPERSCRIPT.sub(r"\1\2", text)


def ascii_fold(value: str) -> str:
    """Strip diacritics and transliterate a few letters NFKD cannot split."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


def shorten(value: str, limit: int = 60) -> str:
    """A label-sized start of a text ("..." when cut)."""
    value = clean_text(value)
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]  # end on a whole word when one is near
    return cut.rstrip(" ,;:") + "…"
