"""Citation keys and title fingerprints.

``citation_key``: first author's family name, ASCII-folded, lowercase, letters and digits
only, then the year ("Tom", 2019 -> "tom2019"; "de Brouwer" -> "debrouwer"). With only an
organisation author, its first word that is not an article ("The American Brachytherapy
Society" -> "american"). No usable name gives "anon"; no year gives "nd". When the key is
taken (compared case-insensitively), the suffixes a, b, ..., z, aa, ab, ... are tried.

``title_fingerprint``: a duplicate-detection key for records with neither DOI nor PMID:
markup removed, casefolded, diacritics and punctuation removed, spaces collapsed, then
"|year" ("" when no year).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import count

from .records import CitationData
from .text import ascii_fold, clean_text

KEY_NAME_LENGTH = 30
_NOT_KEY_CHAR = re.compile(r"[^a-z0-9]")
_ARTICLES = {"the", "a", "an", "la", "le", "les", "el", "die", "der", "das"}


def _name_part(data: CitationData) -> str:
    if data.authors:
        return _NOT_KEY_CHAR.sub("", ascii_fold(clean_text(data.authors[0].family)).lower())
    for word in ascii_fold(clean_text(data.org_author)).lower().split():
        word = _NOT_KEY_CHAR.sub("", word)
        if word and word not in _ARTICLES:
            return word
    return ""


def _suffix(n: int) -> str:
    # 1 -> "a", 26 -> "z", 27 -> "aa" (bijective base 26).
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def citation_key(data: CitationData, existing_keys: Iterable[str] = ()) -> str:
    """A key like "martin2019", unique among ``existing_keys`` (case-insensitive)."""
    name = _name_part(data)[:KEY_NAME_LENGTH] or "anon"
    year = str(data.year) if isinstance(data.year, int) and not isinstance(data.year, bool) else "nd"
    base = f"{name}{year}"
    taken = {str(k).lower() for k in existing_keys}
    if base not in taken:
        return base
    for n in count(1):
        candidate = base + _suffix(n)
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def title_fingerprint(title: str, year: int | None) -> str:
    """"the american brachytherapy society consensus ...|2019" from any casing and markup."""
    text = _strip_diacritics(clean_text(title).casefold())
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    text = " ".join(text.split())
    return f"{text}|{year if year is not None else ''}"


def _strip_diacritics(value: str) -> str:
    """Strip diacritics but keep letters NFKD cannot fold (Cyrillic, Greek, CJK stay)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
