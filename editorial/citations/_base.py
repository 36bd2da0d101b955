"""Pieces shared by the format readers (RIS, BibTeX, MEDLINE, CSL-JSON).

Each reader turns text into a list of ``Mapped``: one per record it found, with either a
CitationData or the reason the record could not be read. ``ImportFormatError`` is raised
only when the text as a whole is not that format.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .identifiers import normalise_doi, normalise_pmid
from .records import ARTICLE, CONSENSUS, CitationData
from .text import clean_text

_DASHES = re.compile(r"\s*(?:--|[\u2010-\u2015\u2212])\s*")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_PMID_IN_TEXT = re.compile(r"\bPMID:?\s*([1-9]\d{0,7})\b", re.IGNORECASE)
# Title wording that marks a society's consensus statement.
_CONSENSUS_TITLE = re.compile(r"\bconsensus (?:statement|recommendations?|guidelines?)\b", re.IGNORECASE)


MAX_RECORDS = 5_000  # per import; larger libraries are split by the user


class ImportFormatError(ValueError):
    """The file as a whole cannot be read in the chosen format."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Mapped:
    data: CitationData | None
    reason: str = ""  # why the record could not be read, when data is None
    warnings: list[str] = field(default_factory=list)  # read, but worth a look


def year_from(value: object) -> int | None:
    """The first plausible 4-digit year in "2019///", "2018 Apr", "2005/07/15"."""
    match = _YEAR.search(clean_text(value))
    return int(match.group(1)) if match else None


def date_from(value: object) -> date | None:
    """A full date from "2019/03/28" or "2019-03-28"; None when partial or impossible."""
    return matched_date(_ISO_DATE.match(clean_text(value)))


def matched_date(match) -> date | None:
    """The date a pattern matched as (year, month, day); None without a match or for an impossible date."""
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def pages_from(value: object) -> str:
    """Pages with BibTeX "--" and Unicode dashes as a plain hyphen ("242--257" -> "242-257")."""
    return _DASHES.sub("-", clean_text(value))


def doi_or_raw(value: object) -> str:
    """The normalised DOI, or the cleaned raw text so that validation can explain it."""
    raw = clean_text(value)
    try:
        return normalise_doi(raw) if raw else ""
    except ValueError:
        return raw


def pmid_or_raw(value: object) -> str:
    raw = clean_text(value)
    try:
        return normalise_pmid(raw) if raw else ""
    except ValueError:
        return raw


def pmid_in_text(value: object) -> str:
    """A PMID written as "PMID: 25992719" inside a note, or ""."""
    match = _PMID_IN_TEXT.search(clean_text(value))
    return match.group(1) if match else ""


def journal_type(title: str, publication_types: list[str] = ()) -> str:
    """article-journal, or consensus-statement for PubMed's consensus types or such a title."""
    if any("consensus development conference" in pt.lower() for pt in publication_types):
        return CONSENSUS
    return CONSENSUS if _CONSENSUS_TITLE.search(title) else ARTICLE


_ORGANISATION_WORDS = {
    "organization", "organisation", "society", "association", "institute", "institut", "committee", "council",
    "agency", "department", "ministry", "university", "foundation", "center", "centre", "consortium", "collaboration",
    "group", "network", "college", "academy", "federation", "board", "office", "service", "commission", "alliance",
    "team", "panel", "prevention", "investigators", "party", "consortia", "taskforce",
}
_LINKING = {"for", "of", "and"}


def looks_like_organisation(name: str) -> bool:
    """True for "World Health Organization", "Writing Group": a word that names a body, not a person."""
    words = [word.strip(".,;()") for word in clean_text(name).split()]
    # plurals too ("Groups", "Committees", "Societies"); a lowercase "for"/"of"/"and" joins a body's words
    return any(w.lower() in _ORGANISATION_WORDS or w.lower().rstrip("s") in _ORGANISATION_WORDS
               or (w.lower().endswith("ies") and w.lower()[:-3] + "y" in _ORGANISATION_WORDS) or w in _LINKING
               for w in words)


def organisation_warning(name: str) -> str:
    return (f'"{name}" reads as a person: put an organisation in braces ({{{name}}}) or enter it as the '
            "organisation author.")


def first(*values: object) -> str:
    """The first value that cleans to non-empty text (lists: their first item)."""
    for value in values:
        if isinstance(value, (list, tuple)):
            value = next((v for v in value if clean_text(v)), "")
        text = clean_text(value)
        if text:
            return text
    return ""


# A kind of thesis as exports write it ("PhD Thesis", "M.Sc. thesis", "Doctoral dissertation") ->
# AMA's words; anything else ("Habilitation") is kept as written.
_MASTERS = re.compile(r"\bm\.?\s?(?:a|s|sc|phil)\.?\b|\bmaster'?s?\b|\bmagister\b", re.IGNORECASE)
_DOCTORAL = re.compile(r"\bph\.?\s?d\.?\b|\bd\.?\s?phil\.?\b|\bdoctora[lt]e?\b|\bdissertation\b|\bdr\.?\s?med\b|^\s*phdthesis\s*$",
                       re.IGNORECASE)


def thesis_kind(written: object) -> str:
    """"Dissertation" (also for nothing written), "Master's thesis", or the text as written."""
    text = clean_text(written)
    if _MASTERS.search(text) or text.lower().replace(" ", "") in {"mathesis", "mastersthesis"}:
        return "Master's thesis"  # before the doctoral words: a "Master's dissertation" is a master's thesis
    if not text or _DOCTORAL.search(text):
        return "Dissertation"
    return text


# Preprint servers, as records name them in a journal, publisher or archive field.
PREPRINT_SERVERS = {"arxiv": "arXiv", "medrxiv": "medRxiv", "biorxiv": "bioRxiv", "chemrxiv": "ChemRxiv", "psyarxiv": "PsyArXiv",
                    "socarxiv": "SocArXiv", "techrxiv": "TechRxiv", "ssrn": "SSRN", "research square": "Research Square",
                    "preprints.org": "Preprints.org", "preprints": "Preprints.org", "authorea": "Authorea", "scielo preprints": "SciELO Preprints",
                    "osf preprints": "OSF Preprints"}
_SERVER_WORD = re.compile(r"(?<![\w.])(" + "|".join(re.escape(name) for name in PREPRINT_SERVERS) + r")(?![\w])", re.IGNORECASE)
# "arXiv:1501.04916 [physics]": Zotero's container for an arXiv paper it saved as a journal article.
_ARXIV_ID = re.compile(r"^\s*arxiv:\s*\S+", re.IGNORECASE)


def preprint_server(value: object, *, at_start: bool = False) -> str:
    """"medRxiv" for "medRxiv", "Research Square Platform LLC", "arXiv:1501.04916 [physics]"; else ""."""
    text = clean_text(value)
    match = _SERVER_WORD.match(text) if at_start else _SERVER_WORD.search(text)
    return PREPRINT_SERVERS[match.group(1).lower()] if match else ""


def is_arxiv_identifier(value: object) -> bool:
    return bool(_ARXIV_ID.match(clean_text(value)))


def ends_the_list(name: object) -> bool:
    """"others" (BibTeX's "and others", written as an author in RIS and CSL-JSON) or "et al": the list was cut short."""
    return clean_text(name).lower().rstrip(".") in {"others", "et al", "et. al"}


def without_list_end(names: list) -> tuple[list, bool]:
    """The names without a closing "others" / "et al", and whether the list had one (was cut short)."""
    if names and ends_the_list(names[-1]):
        return names[:-1], True
    return names, False
