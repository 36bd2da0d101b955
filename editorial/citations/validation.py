"""Validation of a CitationData: ``validate(data) -> {field: message}`` (empty when valid).

Rules:
- type is one of the four citation types.
- title is required; every text field has a length limit (``LIMITS``) and may not contain
  control characters (they break exports and can hide content).
- authors are optional (AMA starts a reference without one with its title); each person
  needs a family name.
- year is 1800..next year; required for journal articles, consensus statements and books
  (their AMA form has no place without it), optional for web pages.
- journal articles need the journal name; web pages need their URL.
- DOI must match Crossref's pattern (or the older Wiley form); PMID is 1-8 digits with no
  leading zero; a URL must be an absolute http(s) address.
- accessed / published / updated dates cannot be in the future or before 1800.
"""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from .identifiers import check_url, normalise_doi, normalise_pmid
from .records import BOOK, CITATION_TYPES, WEBPAGE, Author, CitationData

MIN_YEAR = 1800
MAX_AUTHORS = 3000  # large consortium papers list a few thousand
LIMITS = {
    "title": 1000,
    "container_title": 500,
    "org_author": 300,
    "publisher": 300,
    "volume": 50,
    "issue": 50,
    "pages": 50,
    "edition": 50,
    "family": 200,
    "given": 200,
}


def _has_controls(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def _text_error(label: str, value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return f"{label} must be text."
    if len(value) > limit:
        return f"{label} is too long ({len(value)} characters; at most {limit})."
    if _has_controls(value):
        return f"{label} contains control characters."
    return None


def _authors_error(data: CitationData) -> str | None:
    authors = data.authors if isinstance(data.authors, list) else []
    org = data.org_author.strip() if isinstance(data.org_author, str) else ""
    if len(authors) > MAX_AUTHORS:
        return f"Too many authors ({len(authors)}; at most {MAX_AUTHORS})."
    for number, author in enumerate(authors, start=1):
        if not isinstance(author, Author):
            return f"Author {number} is not a name."
        if not isinstance(author.family, str) or not author.family.strip():
            return f"Author {number} needs a family name."
        for part, label in ((author.family, "family name"), (author.given, "given names")):
            problem = _text_error(f"Author {number}'s {label}", part, LIMITS["family"])
            if problem:
                return problem
    return None


def _date_error(label: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, date):
        return f"{label} must be a date."
    if value.year < MIN_YEAR:
        return f"{label} cannot be before {MIN_YEAR}."
    if value > date.today() + timedelta(days=1):  # a day of slack for time zones
        return f"{label} cannot be in the future."
    return None


def validate(data: CitationData) -> dict[str, str]:
    """Field name -> message for each problem; {} when the record is valid."""
    errors: dict[str, str] = {}

    if data.type not in CITATION_TYPES:
        errors["type"] = "Choose journal article, book, web page or consensus statement."

    title = data.title if isinstance(data.title, str) else ""
    if not title.strip():
        errors["title"] = "Title is required."

    for name, label in (
        ("title", "Title"), ("container_title", "Journal or website name"), ("org_author", "Organisation author"),
        ("publisher", "Publisher"), ("volume", "Volume"), ("issue", "Issue"), ("pages", "Pages"),
        ("edition", "Edition"),
    ):
        if name in errors:
            continue
        problem = _text_error(label, getattr(data, name), LIMITS[name])
        if problem:
            errors[name] = problem

    problem = _authors_error(data)
    if problem:
        errors["authors"] = problem

    if data.year is None:
        if data.type != WEBPAGE:
            errors["year"] = "Year is required."
    elif isinstance(data.year, bool) or not isinstance(data.year, int):
        errors["year"] = "Year must be a whole number."
    elif not MIN_YEAR <= data.year <= date.today().year + 1:
        errors["year"] = f"Year must be between {MIN_YEAR} and {date.today().year + 1}."

    if data.is_journal_article and "container_title" not in errors and not str(data.container_title).strip():
        errors["container_title"] = "Journal name is required."
    if data.type == BOOK and not (str(data.publisher).strip() or str(data.container_title).strip()):
        errors["publisher"] = "Publisher is required for a book."

    if data.doi:
        try:
            normalise_doi(data.doi)
        except ValueError as exc:
            errors["doi"] = str(exc)
    if data.pmid:
        try:
            normalise_pmid(data.pmid)
        except ValueError as exc:
            errors["pmid"] = str(exc)
    if data.url:
        problem = check_url(data.url) if isinstance(data.url, str) else "URL must be text."
        if problem:
            errors["url"] = problem
    elif data.type == WEBPAGE:
        errors["url"] = "A web page needs its URL."

    for name, label in (("accessed", "Accessed date"), ("published", "Published date"), ("updated", "Updated date")):
        problem = _date_error(label, getattr(data, name))
        if problem:
            errors[name] = problem
    return errors
