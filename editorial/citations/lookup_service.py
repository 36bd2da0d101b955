"""Adding a source by DOI or PMID: look in the library first, else ask Crossref or PubMed.

Rules:
- A record of the library with the same DOI or PMID is the answer, without asking anyone.
- The fetched record is shown to the writer before anything is saved (the page), or saved at once
  (the API); either way through citations.create_citation, so validation, duplicate checks and the
  audit are the library's own.
- Crossref or PubMed failing is `SourceUnavailable` (502), or a field error when the source says it
  has no such record; the caller offers the hand form with the identifier filled in.
"""
from dataclasses import dataclass

from flask import current_app

from editorial.citations import CitationData
from editorial.citations.lookup import Identifier, LookupFailed, fetch_record, parse_identifier
from editorial.core.errors import SourceUnavailable, ValidationError
from editorial.citations.models import Citation
from editorial.accounts.models import User
from editorial.accounts.permissions import require
from editorial.citations import service as citation_service


@dataclass
class LookupResult:
    identifier: Identifier
    existing: Citation | None = None  # the library's record of this source
    data: CitationData | None = None  # the fetched record, when the library has none


def identifier_of(text: str) -> Identifier:
    try:
        return parse_identifier(text)
    except ValueError as exc:
        raise ValidationError(str(exc), fields={"identifier": str(exc)}) from None


def look_up(actor: User, text: str) -> LookupResult:
    require(actor, "manage_citations", message="Only writers and editors add citations.")
    identifier = identifier_of(text)
    existing = citation_service.find_duplicate(CitationData(**{identifier.kind: identifier.value}))
    if existing is not None:
        return LookupResult(identifier, existing=existing)
    config = current_app.config
    try:
        data = fetch_record(identifier, fetch=config.get("CITATION_LOOKUP_FETCH"), mailto=config.get("CROSSREF_MAILTO"),
                            ncbi_api_key=config.get("NCBI_API_KEY"),
                            timeout=float(config.get("CITATION_LOOKUP_TIMEOUT_SECONDS", 8)))
    except LookupFailed as exc:
        if exc.not_found:
            raise ValidationError(exc.message, fields={"identifier": exc.message}) from None
        raise SourceUnavailable(exc.message) from None
    data = citation_service.normalised(data)
    # The record may carry the other identifier too (a DOI's record with its PMID): one source, one record.
    return LookupResult(identifier, existing=citation_service.find_duplicate(data), data=data)


def add_by_identifier(actor: User, text: str) -> tuple[Citation, bool]:
    """The library's record of the source (created: False) or a new one from Crossref or PubMed."""
    result = look_up(actor, text)
    if result.existing is not None:
        return result.existing, False
    return citation_service.create_citation(actor, result.data, source=f"lookup:{result.identifier.kind}")


def hand_form_data(data: CitationData) -> dict:
    """A record as the hand form's fields (citations/new.html), for the writer to check or complete."""
    def people(authors):
        return "\n".join(f"{a.family}, {a.given}".rstrip(", ") + (f", {a.suffix}" if a.suffix else "") for a in authors)

    return {
        "type": data.type, "title": data.title, "authors": people(data.authors), "editors": people(data.editors),
        "org_author": data.org_author, "container_title": data.container_title, "publisher": data.publisher,
        "edition": data.edition, "genre": data.genre, "report_number": data.report_number, "year": data.year,
        "volume": data.volume, "issue": data.issue, "pages": data.pages, "doi": data.doi, "pmid": data.pmid,
        "url": data.url, "accessed": data.accessed, "published": data.published,
    }
