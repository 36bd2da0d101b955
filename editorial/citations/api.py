"""The citation library: create, import, search (API.md)."""
from datetime import date
from typing import Annotated, Literal

from flask import Response
from pydantic import Field

from editorial.api import api_bp
from editorial.api import schemas as api_schemas
from editorial.api.helpers import caller
from editorial.api.openapi import documented
from editorial.api.validation import Body, PageQuery, Query, body_of, clipped
from editorial.articles import queries
from editorial.citations import Author, CitationData
from editorial.citations import lookup_service as citation_lookup
from editorial.citations import schemas as citations_schemas
from editorial.citations import service as citation_service
from editorial.citations.schemas import CitationCreatedOut, CitationOut, CitationPage, ImportReportOut
from editorial.core import reading


class _DatedBody(Body):
    model_config = {**Body.model_config, "strict": False}  # dates arrive as ISO strings


# One field list: the API's source is the library's record (CitationData), less what only imports set.
AuthorIn = body_of(Author, "AuthorIn")
CitationIn = body_of(CitationData, "CitationIn", base=_DatedBody, exclude=frozenset({"authors_cut_short", "editors_cut_short", "retracted"}),
                     required=frozenset({"title"}), types={"authors": list[AuthorIn], "editors": list[AuthorIn]})


class ImportIn(Body):
    format: str = Field(json_schema_extra={"enum": ["ris", "bibtex", "nbib", "csl-json"]})
    text: str


class LookupIn(Body):
    identifier: str = Field(description="A DOI, a doi.org link, a PMID or a PubMed link.")


class RetractIn(_DatedBody):
    note: str
    retracted_on: date | None = None


class CitationQuery(PageQuery):
    q: Annotated[str, clipped(200)] | None = Field(None, description="Words in the title, authors, DOI or PMID.")


class ExportQuery(Query):
    format: Literal["csl-json", "ris", "bibtex"] = "csl-json"


@api_bp.post("/citations")
@documented(CitationCreatedOut, 201, also={200: CitationCreatedOut}, errors=(403,), tag="citations")
def create_citation(json: CitationIn):
    """Add a source to the library

    201 with the new record; 200 with an existing one (same DOI, PMID, or title and year).
    """
    citation, created = citation_service.create_citation(caller(), CitationData.from_dict(json.model_dump()))
    return citations_schemas.citation_created(citation, created), 201 if created else 200


@api_bp.post("/citations/import")
@documented(ImportReportOut, 201, also={200: ImportReportOut}, errors=(403,), tag="citations")
def import_citations(json: ImportIn):
    """Import RIS, BibTeX, MEDLINE or CSL-JSON

    201 when anything was created, 200 otherwise; each bad record is reported.
    """
    report = citation_service.import_citations(caller(), json.format, json.text)
    return citations_schemas.import_report(report), 201 if report.created else 200


@api_bp.post("/citations/lookup")
@documented(CitationCreatedOut, 201, also={200: CitationCreatedOut}, errors=(403, 502), tag="citations")
def lookup_citation(json: LookupIn):
    """Add a source by DOI or PMID

    The record is fetched from Crossref (a DOI) or PubMed (a PMID) and saved: 201 with the new record;
    200 with the library's existing record of the same DOI or PMID (nothing is fetched). 422 when the
    identifier is malformed or the source has no such record; 502 when the source could not be asked.
    """
    citation, created = citation_lookup.add_by_identifier(caller(), json.identifier)
    return citations_schemas.citation_created(citation, created), 201 if created else 200


@api_bp.get("/citations")
@documented(CitationPage, tag="citations")
def list_citations(query: CitationQuery):
    """The citation library"""
    statement = citation_service.search_statement(query.q)
    return api_schemas.page_of(CitationPage, reading.paginate(statement, query.page, query.per_page), citations_schemas.citation)


def _download(fmt: str, citations: list, name: str) -> Response:
    text, media_type, extension = citation_service.export_file(fmt, citations)
    return Response(text, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@api_bp.get("/citations/export")
@documented(errors=(422,), tag="citations")
def export_citations(query: ExportQuery):
    """The library as CSL-JSON, RIS or BibTeX

    A file a reference manager can import; `format` is csl-json (the default), ris or bibtex.
    """
    return _download(query.format, citation_service.library_for_export(), "citations")


@api_bp.get("/articles/<int:article_id>/citations/export")
@documented(errors=(403, 422), tag="citations")
def export_article_citations(article_id: int, query: ExportQuery):
    """An article's references as CSL-JSON, RIS or BibTeX

    In the article's order (its current revision).
    """
    from editorial.articles.api import viewable

    article = viewable(article_id)
    return _download(query.format, queries.article_bundle(article).citations, f"article-{article.id}-references")


@api_bp.get("/citations/<int:citation_id>")
@documented(CitationOut, tag="citations")
def get_citation(citation_id: int):
    """A source"""
    return citations_schemas.citation(citation_service.get_citation(citation_id))


@api_bp.post("/citations/<int:citation_id>/retraction")
@documented(CitationOut, errors=(403, 409), tag="citations")
def retract_citation(citation_id: int, json: RetractIn):
    """Mark a source as retracted"""
    citation = citation_service.retract(caller(), citation_service.get_citation(citation_id), note=json.note,
                                        retracted_on=json.retracted_on)
    return citations_schemas.citation(citation)
