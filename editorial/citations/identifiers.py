"""DOI, PMID and URL rules.

DOI:
- Accepted syntax is Crossref's recommended pattern ``^10.\\d{4,9}/[-._;()/:A-Z0-9]+$``
  (case-insensitive), plus the older Wiley form ``^10.1002/[^\\s]+$`` (SICI-style DOIs
  with "<", ">" and "#").
- Accepted wrappers are removed: ``https://doi.org/``, ``http://dx.doi.org/``,
  ``doi:`` / ``DOI:``, surrounding spaces, a trailing full stop, and
  percent-encoding in resolver links.
- DOIs are case-insensitive, so the normal form is lowercase; compare normal forms.

PMID: 1 to 8 digits with no leading zero (PubMed ids are positive integers).
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

DOI_MAX_LENGTH = 300
URL_MAX_LENGTH = 2000

_CROSSREF_DOI = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Z0-9]+$", re.IGNORECASE)
_WILEY_DOI = re.compile(r"^10\.1002/[^\s]+$", re.IGNORECASE)
_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE
)
_PMID = re.compile(r"^[1-9]\d{0,7}$")
# Finds a DOI inside free text such as "doi: 10.1063/1.1954747" or a resolver URL.
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)


def normalise_doi(value: str) -> str:
    """The lowercase bare DOI, or ValueError with a message for people."""
    if not isinstance(value, str):
        raise ValueError("DOI must be text.")
    doi = value.strip()
    if not doi:
        raise ValueError("DOI is empty.")
    if len(doi) > DOI_MAX_LENGTH:
        raise ValueError(f"DOI is too long (at most {DOI_MAX_LENGTH} characters).")
    had_resolver = bool(re.match(r"^(?:https?://|doi\.org/)", doi, re.IGNORECASE))
    doi = _DOI_PREFIX.sub("", doi, count=1).strip()
    if had_resolver:
        doi = unquote(doi)  # "10.1371%2Fjournal.pbio.1001687" in resolver links
    doi = doi.rstrip(".")  # copied from the end of a sentence or an AMA reference
    if _CROSSREF_DOI.match(doi) or _WILEY_DOI.match(doi):
        return doi.lower()
    if not doi.startswith("10."):
        raise ValueError("DOI must start with \"10.\" (for example 10.1016/j.brachy.2018.12.005).")
    raise ValueError(
        "DOI is not valid: expected 10.<4-9 digit prefix>/<suffix of letters, digits and -._;()/:>."
    )


def find_doi(text: str) -> str | None:
    """The first valid DOI mentioned in free text (notes, links), normalised, or None."""
    for match in _DOI_IN_TEXT.finditer(unquote(text or "")):
        candidate = match.group(0).rstrip(".,;")
        while candidate.endswith(")") and candidate.count(")") > candidate.count("("):
            candidate = candidate[:-1].rstrip(".,;")  # "(doi:10.1/x)." in prose
        try:
            return normalise_doi(candidate)
        except ValueError:
            continue
    return None


def normalise_pmid(value: str | int) -> str:
    """The PMID as a digit string, or ValueError with a message for people."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("PMID must be a number.")
    pmid = str(value).strip()
    if pmid.upper().startswith("PMID"):
        pmid = pmid[4:].lstrip(": ").strip()
    if not pmid:
        raise ValueError("PMID is empty.")
    if not pmid.isascii() or not pmid.isdigit():
        raise ValueError("PMID must contain digits only.")
    if pmid.startswith("0"):
        raise ValueError("PMID cannot start with 0.")
    if not _PMID.match(pmid):
        raise ValueError("PMID has at most 8 digits.")
    return pmid


def doi_url(doi: str) -> str:
    """The https://doi.org/ link for a normalised DOI, percent-encoding unsafe characters."""
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def check_url(value: str) -> str | None:
    """A message when the URL is not an absolute http(s) address, else None."""
    if len(value) > URL_MAX_LENGTH:
        return f"URL is too long (at most {URL_MAX_LENGTH} characters)."
    if any(ch.isspace() for ch in value):
        return "URL cannot contain spaces."
    try:
        parts = urlsplit(value)
    except ValueError:
        return "URL is not valid."
    if parts.scheme.lower() not in ("http", "https"):
        return "URL must start with http:// or https://."
    if not parts.netloc or not parts.hostname:
        return "URL must include a host name."
    return None
