"""The citations API's answers: the response models and the functions that build them."""
from datetime import date

from pydantic import Field

from editorial.api.schemas import Out, PageOut, Timestamp
from editorial.citations import service as citation_service
from editorial.citations.models import Citation


class AuthorOut(Out):
    family: str
    given: str
    suffix: str | None = Field(None, exclude_if=lambda suffix: suffix is None, description="Only when there is one.")


class EditorOut(Out):
    family: str
    given: str
    suffix: str


class CitationOut(Out):
    id: int
    key: str
    type: str
    title: str
    authors: list[AuthorOut]
    org_author: str | None
    container_title: str | None
    year: int | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    url: str | None
    editors: list[EditorOut] = []
    publisher: str | None = None
    edition: str | None = None
    genre: str | None = None
    report_number: str | None = None
    published: date | None = None
    accessed: date | None = None
    formatted: str = Field(description="AMA style (11th edition).")
    retracted: bool
    retraction_note: str | None
    incomplete: bool = Field(False, description="Imported without parts AMA needs; `missing` lists them.")
    missing: list[str] = []
    created_at: Timestamp | None


class CitationCreatedOut(CitationOut):
    created: bool = Field(description="False when an existing record (same DOI, PMID, or title and year) was reused.")


class CitationPage(PageOut):
    items: list[CitationOut]


class RejectedRecord(Out):
    record: str
    errors: dict[str, str]


class ImportWarning(Out):
    record: str
    warnings: list[str]


class ImportReportOut(Out):
    created: list[CitationOut] = Field(description="Incomplete records among them have `incomplete` true.")
    reused: list[CitationOut]
    rejected: list[RejectedRecord]
    warnings: list[ImportWarning] = []


def _citation_fields(citation: Citation) -> dict:
    data = citation_service.data_of(citation)
    return {
        "id": citation.id,
        "key": citation.key,
        "type": citation.type,
        "title": citation.title,
        "authors": [AuthorOut(family=a.family, given=a.given, suffix=a.suffix or None) for a in data.authors],
        "org_author": data.org_author or None,
        "container_title": citation.container_title,
        "year": citation.year,
        "volume": data.volume or None,
        "issue": data.issue or None,
        "pages": data.pages or None,
        "doi": citation.doi,
        "pmid": citation.pmid,
        "url": citation.url,
        "editors": [EditorOut(family=a.family, given=a.given, suffix=a.suffix) for a in data.editors],
        "publisher": data.publisher or None,
        "edition": data.edition or None,
        "genre": data.genre or None,
        "report_number": data.report_number or None,
        "published": data.published,
        "accessed": data.accessed,
        "formatted": citation.formatted,
        "retracted": citation.retracted,
        "retraction_note": citation.retraction_note,
        "incomplete": bool(citation.missing),
        "missing": citation.missing_parts,
        "created_at": citation.created_at,
    }


def citation(citation: Citation) -> CitationOut:
    return CitationOut(**_citation_fields(citation))


def citation_created(citation: Citation, created: bool) -> CitationCreatedOut:
    return CitationCreatedOut(**_citation_fields(citation), created=created)


def import_report(report) -> ImportReportOut:
    return ImportReportOut(
        created=[citation(c) for c in report.created],
        reused=[citation(c) for c in report.reused],
        rejected=[RejectedRecord(record=label, errors=errors) for label, errors in report.rejected],
        warnings=[ImportWarning(record=label, warnings=messages) for label, messages in report.warnings],
    )
