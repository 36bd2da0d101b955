"""The citation library: create, import, search (API.md)."""
from datetime import date

from flask import request
from pydantic import Field

from editorial.articles import queries
from editorial.api import api_bp
from editorial.api.helpers import caller, iso, list_body, page_args
from editorial.api.openapi import documented
from editorial.api.schemas import CitationCreatedOut, CitationOut, CitationPage, ImportReportOut
from editorial.api.validation import Body, PageQuery, parse_body
from editorial.citations import Author, CitationData
from editorial.citations.models import Citation
from editorial.citations import lookup_service as citation_lookup, service as citation_service


class AuthorIn(Body):
    family: str
    given: str = ""
    suffix: str = Field("", description='"Jr", "III".')


class CitationIn(Body):
    type: str = "article-journal"
    title: str
    authors: list[AuthorIn] = []
    org_author: str = ""
    container_title: str = ""
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    publisher: str = ""
    edition: str = ""
    accessed: date | None = None
    editors: list[AuthorIn] = Field([], description="Of the book or proceedings that contains a chapter or paper.")
    published: date | None = Field(None, description="Full publication date: online first, a preprint's posting, a web page's.")
    updated: date | None = None
    genre: str = Field("", description='Theses: "Dissertation" (the default) or "Master\'s thesis".')
    report_number: str = Field("", description='Reports and guidelines, as the issuer writes it ("NICE guideline NG28").')

    model_config = {**Body.model_config, "strict": False}  # dates arrive as ISO strings


class ImportIn(Body):
    format: str = Field(json_schema_extra={"enum": ["ris", "bibtex", "nbib", "csl-json"]})
    text: str


class LookupIn(Body):
    identifier: str = Field(description="A DOI, a doi.org link, a PMID or a PubMed link.")


class RetractIn(Body):
    note: str
    retracted_on: date | None = None

    model_config = {**Body.model_config, "strict": False}


class CitationQuery(PageQuery):
    q: str | None = Field(None, description="Words in the title, authors, DOI or PMID.")


def citation_json(citation: Citation) -> dict:
    data = citation_service.data_of(citation)
    return {
        "id": citation.id,
        "key": citation.key,
        "type": citation.type,
        "title": citation.title,
        "authors": [{"family": a.family, "given": a.given} | ({"suffix": a.suffix} if a.suffix else {}) for a in data.authors],
        "org_author": data.org_author or None,
        "container_title": citation.container_title,
        "year": citation.year,
        "volume": data.volume or None,
        "issue": data.issue or None,
        "pages": data.pages or None,
        "doi": citation.doi,
        "pmid": citation.pmid,
        "url": citation.url,
        "editors": [a.to_dict() for a in data.editors],
        "publisher": data.publisher or None,
        "edition": data.edition or None,
        "genre": data.genre or None,
        "report_number": data.report_number or None,
        "published": data.published.isoformat() if data.published else None,
        "accessed": data.accessed.isoformat() if data.accessed else None,
        "formatted": citation.formatted,
        "retracted": citation.retracted,
        "retraction_note": citation.retraction_note,
        "incomplete": bool(citation.missing),
        "missing": citation.missing_parts,
        "created_at": iso(citation.created_at),
    }


@api_bp.post("/citations")
@documented("Add a source to the library", body=CitationIn, response=CitationCreatedOut, status=201, also={200: CitationCreatedOut},
            errors=(403,), tag="citations",
            description="201 with the new record; 200 with an existing one (same DOI, PMID, or title and year).")
def create_citation():
    body = parse_body(CitationIn)
    values = body.model_dump()
    values["authors"] = [Author(**a) for a in values["authors"]]
    values["editors"] = [Author(**a) for a in values["editors"]]
    citation, created = citation_service.create_citation(caller(), CitationData(**values))
    return {**citation_json(citation), "created": created}, 201 if created else 200


@api_bp.post("/citations/import")
@documented("Import RIS, BibTeX, MEDLINE or CSL-JSON", body=ImportIn, response=ImportReportOut, status=201, also={200: ImportReportOut},
            errors=(403,), tag="citations",
            description="201 when anything was created, 200 otherwise; each bad record is reported.")
def import_citations():
    body = parse_body(ImportIn)
    report = citation_service.import_citations(caller(), body.format, body.text)
    return {
        "created": [citation_json(c) for c in report.created],
        "reused": [citation_json(c) for c in report.reused],
        "rejected": [{"record": label, "errors": errors} for label, errors in report.rejected],
        "warnings": [{"record": label, "warnings": messages} for label, messages in report.warnings],
    }, 201 if report.created else 200


@api_bp.post("/citations/lookup")
@documented("Add a source by DOI or PMID", body=LookupIn, response=CitationCreatedOut, status=201, also={200: CitationCreatedOut},
            errors=(403, 502), tag="citations",
            description="The record is fetched from Crossref (a DOI) or PubMed (a PMID) and saved: 201 with the new "
                        "record; 200 with the library's existing record of the same DOI or PMID (nothing is fetched). "
                        "422 when the identifier is malformed or the source has no such record; 502 when the source "
                        "could not be asked.")
def lookup_citation():
    body = parse_body(LookupIn)
    citation, created = citation_lookup.add_by_identifier(caller(), body.identifier)
    return {**citation_json(citation), "created": created}, 201 if created else 200


@api_bp.get("/citations")
@documented("The citation library", query=CitationQuery, response=CitationPage, tag="citations")
def list_citations():
    page, per_page = page_args()
    statement = citation_service.search_statement((request.args.get("q") or "")[:200] or None)
    return list_body(queries.paginate(statement, page, per_page), citation_json)


class ExportQuery(Body):
    format: str = Field("csl-json", json_schema_extra={"enum": ["csl-json", "ris", "bibtex"]})


def _download(fmt: str, citations: list, name: str):
    from flask import Response

    text, media_type, extension = citation_service.export_file(fmt, citations)
    return Response(text, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@api_bp.get("/citations/export")
@documented("The library as CSL-JSON, RIS or BibTeX", query=ExportQuery, errors=(422,), tag="citations",
            description="A file a reference manager can import; `format` is csl-json (the default), ris or bibtex.")
def export_citations():
    return _download(request.args.get("format", "csl-json"), citation_service.library_for_export(), "citations")


@api_bp.get("/articles/<int:article_id>/citations/export")
@documented("An article's references as CSL-JSON, RIS or BibTeX", query=ExportQuery, errors=(403, 422), tag="citations",
            description="In the article's order (its current revision).")
def export_article_citations(article_id: int):
    from editorial.articles.api import viewable

    article = viewable(article_id)
    return _download(request.args.get("format", "csl-json"), queries.article_bundle(article).citations,
                     f"article-{article.id}-references")


@api_bp.get("/citations/<int:citation_id>")
@documented("A source", response=CitationOut, tag="citations")
def get_citation(citation_id: int):
    return citation_json(citation_service.get_citation(citation_id))


@api_bp.post("/citations/<int:citation_id>/retraction")
@documented("Mark a source as retracted", body=RetractIn, response=CitationOut, errors=(403, 409), tag="citations")
def retract_citation(citation_id: int):
    body = parse_body(RetractIn)
    citation = citation_service.retract(caller(), citation_service.get_citation(citation_id), note=body.note,
                                        retracted_on=body.retracted_on)
    return citation_json(citation)
