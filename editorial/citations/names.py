"""Personal names: parsing the forms found in exports, and AMA initials.

Parsing (``parse_name``), in order:
- "Family, Given" with or without a space after the comma ("Valle-Delgado,J. J. ").
- "Family Initials" as PubMed/Embase write it ("Eloubeidi M.A.", "de Brouwer APM"):
  the last word is 1-4 capitals, optionally with full stops.
- One word: a family name alone.
- Anything else without a comma ("World Health Organization") is returned as None so the
  caller can treat it as an organisation author.

Initials (``initials``): the first letter of each given name, no full stops, hyphens kept
("Martin C" -> "MC", "Jo-Anne" -> "J-A"). A short all-capital word is already initials
("Carlo LM" -> "CLM"; "M.A." -> "MA").
"""
from __future__ import annotations

import re

from .records import Author
from .text import clean_text

_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,9}$")
_INITIALS_WORD = re.compile(r"^(?:[A-Z]\.?){1,4}$")
# Generational suffixes as exports write them ("Jr.", "JR", "III"); AMA prints "Jr", "III".
# A lone "V" is an initial ("Smith, John V."), never taken as the numeral; PubMed writes "3rd" for III.
_SUFFIXES = {"jr": "Jr", "sr": "Sr", "ii": "II", "iii": "III", "iv": "IV", "vi": "VI", "vii": "VII",
             "2nd": "II", "3rd": "III", "4th": "IV", "5th": "V"}


def name_suffix(value: str) -> str:
    """"Jr" for "Jr." / "jr", "III" for "III"; "" when the text is not a name suffix."""
    return _SUFFIXES.get(clean_text(value).strip(" .,").lower(), "")


def is_acronym(word: str) -> bool:
    """"WHO", "CDC", "AT&T": an organisation's initials, not a surname."""
    return bool(_ACRONYM.match(clean_text(word).strip("{}")))


def parse_name(value: str) -> Author | None:
    """An Author from one name string, or None when it reads as an organisation or is empty."""
    text = clean_text(value).strip(" ,;")
    if not text:
        return None
    if "," in text:
        family, *rest = [part.strip() for part in text.split(",")]
        suffix = ""
        # "Coe, Robert T., Jr." (RIS) and "Coe, Jr., Robert T." (BibTeX order)
        if len(rest) > 1 and name_suffix(rest[-1]):
            suffix, rest = name_suffix(rest[-1]), rest[:-1]
        elif len(rest) > 1 and name_suffix(rest[0]):
            suffix, rest = name_suffix(rest[0]), rest[1:]
        given = rest[0] if rest else ""
        words = given.split()
        if not suffix and len(words) > 1 and name_suffix(words[-1]):  # "Coe, Robert T Jr"
            suffix, given = name_suffix(words[-1]), " ".join(words[:-1])
        return Author(family=family, given=given, suffix=suffix) if family else None
    words = text.split()
    suffix = ""
    if len(words) > 2 and name_suffix(words[-1]) and _INITIALS_WORD.match(words[-2]):  # PubMed "Coe RT Jr"
        suffix, words = name_suffix(words[-1]), words[:-1]
    if len(words) == 1:  # "Smith" alone is a person; "WHO", "CDC", "NICE" are organisations
        return None if is_acronym(words[0]) else Author(family=words[0])
    if _INITIALS_WORD.match(words[-1]):
        return Author(family=" ".join(words[:-1]), given=words[-1], suffix=suffix)
    return None


def _word_initials(word: str) -> str:
    letters = word.replace(".", " ").split()
    if not letters:
        return ""
    if len(letters) > 1:  # "M.A." written together
        return "".join(_first_letter(part) for part in letters)
    word = letters[0]
    if word.isupper() and len(word) <= 3 and word.isalpha():
        return word  # "LM": already initials
    return _first_letter(word)


def _first_letter(word: str) -> str:
    # Skip quotes and brackets: "(Hal)" -> "H".
    return next((ch.upper() for ch in word if ch.isalnum()), "")


def initials(given: str) -> str:
    """AMA initials for given names, e.g. "Martin C" -> "MC", "Jean-Paul" -> "J-P"."""
    out = []
    for word in clean_text(given).split():
        parts = [p for p in word.split("-") if p.strip(".")]
        out.append("-".join(_word_initials(p) for p in parts))
    return "".join(out)
