"""Validation of a CitationData: ``validate(data) -> {field: message}`` (empty when valid).

Rules:
- type is one of ``CITATION_TYPES``.
- title is required; every text field has a length limit (``LIMITS``) and may not contain
  control characters (they break exports and can hide content).
- authors are optional (AMA starts a reference without one with its title); each person
  needs a family name.
- year is 1800..next year; required for journal articles, consensus statements and books
  (their AMA form has no place without it), optional for web pages.
- journal articles need the journal name; web pages need their URL; conference papers the
  proceedings, preprints their server (both in container_title), theses the institution.
- editors follow the rules of authors.
- DOI must match Crossref's pattern (or the older Wiley form); PMID is 1-8 digits with no
  leading zero; a URL must be an absolute http(s) address.
- accessed / published / updated dates cannot be in the future or before 1800.
"""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from .identifiers import check_url, normalise_doi, normalise_pmid
from .records import BOOK, CITATION_TYPES, PAPER, PREPRINT, THESIS, TYPE_LABELS, WEBPAGE, Author, CitationData

PREPRINT_SERVER_REQUIRED = "Name the preprint server (medRxiv, bioRxiv, arXiv...)."
PROCEEDINGS_REQUIRED = "Name the proceedings (or the conference) the paper appeared in."
YEAR_REQUIRED = "Year is required."
JOURNAL_REQUIRED = "Journal name is required."
PUBLISHER_REQUIRED = "Publisher is required for a book."
INSTITUTION_REQUIRED = "Name the institution that awarded the degree."
URL_REQUIRED = "A web page needs its URL."
# What an import may lack and still be kept, marked incomplete (a PMID and a title from PubMed):
# a missing part, as opposed to a malformed value or a missing title.
MISSING_PART_MESSAGES = frozenset({YEAR_REQUIRED, JOURNAL_REQUIRED, PUBLISHER_REQUIRED, INSTITUTION_REQUIRED, URL_REQUIRED,
                                   PREPRINT_SERVER_REQUIRED, PROCEEDINGS_REQUIRED})
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
    "genre": 100,
    "report_number": 100,
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


def _people_error(people: object, label: str = "Author") -> str | None:
    people = people if isinstance(people, list) else []
    if len(people) > MAX_AUTHORS:
        return f"Too many {label.lower()}s ({len(people)}; at most {MAX_AUTHORS})."
    for number, person in enumerate(people, start=1):
        if not isinstance(person, Author):
            return f"{label} {number} is not a name."
        if not isinstance(person.family, str) or not person.family.strip():
            return f"{label} {number} needs a family name."
        for part, what in ((person.family, "family name"), (person.given, "given names"), (person.suffix, "suffix")):
            problem = _text_error(f"{label} {number}'s {what}", part, LIMITS["family"])
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


def only_missing_parts(errors: dict[str, str]) -> bool:
    """True when every error is a missing part (see MISSING_PART_MESSAGES), none a bad value."""
    return bool(errors) and all(message in MISSING_PART_MESSAGES for message in errors.values())


def validate(data: CitationData) -> dict[str, str]:
    """Field name -> message for each problem; {} when the record is valid."""
    errors: dict[str, str] = {}

    if data.type not in CITATION_TYPES:
        errors["type"] = "Choose a type: " + ", ".join(label.lower() for label in TYPE_LABELS.values()) + "."

    title = data.title if isinstance(data.title, str) else ""
    if not title.strip():
        errors["title"] = "Title is required."

    for name, label in (
        ("title", "Title"), ("container_title", "Journal or website name"), ("org_author", "Organisation author"),
        ("publisher", "Publisher"), ("volume", "Volume"), ("issue", "Issue"), ("pages", "Pages"),
        ("edition", "Edition"), ("genre", "Kind of thesis"), ("report_number", "Report number"),
    ):
        if name in errors:
            continue
        problem = _text_error(label, getattr(data, name), LIMITS[name])
        if problem:
            errors[name] = problem

    for name, label in (("authors", "Author"), ("editors", "Editor")):
        problem = _people_error(getattr(data, name), label)
        if problem:
            errors[name] = problem

    if data.year is None:
        if data.type != WEBPAGE:
            errors["year"] = YEAR_REQUIRED
    elif isinstance(data.year, bool) or not isinstance(data.year, int):
        errors["year"] = "Year must be a whole number."
    elif not MIN_YEAR <= data.year <= date.today().year + 1:
        errors["year"] = f"Year must be between {MIN_YEAR} and {date.today().year + 1}."

    if data.is_journal_article and "container_title" not in errors and not str(data.container_title).strip():
        errors["container_title"] = JOURNAL_REQUIRED
    if data.type == BOOK and not (str(data.publisher).strip() or str(data.container_title).strip()):
        errors["publisher"] = PUBLISHER_REQUIRED
    if data.type == THESIS and "publisher" not in errors and not str(data.publisher).strip():
        errors["publisher"] = INSTITUTION_REQUIRED
    if data.type in (PAPER, PREPRINT) and "container_title" not in errors and not str(data.container_title).strip():
        errors["container_title"] = (PREPRINT_SERVER_REQUIRED if data.type == PREPRINT else PROCEEDINGS_REQUIRED)

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
        errors["url"] = URL_REQUIRED

    for name, label in (("accessed", "Accessed date"), ("published", "Published date"), ("updated", "Updated date")):
        problem = _date_error(label, getattr(data, name))
        if problem:
            errors[name] = problem
    return errors
