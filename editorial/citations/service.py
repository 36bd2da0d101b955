"""The citation library: create, import, find duplicates, retract.

An import keeps a record that has a title but lacks parts (year, journal...) as incomplete,
with `missing` listing them; adding the same source by hand (same DOI, PMID, or title and
year) completes that record rather than answering it as a duplicate."""
import json
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from editorial.audit import chain as audit
from editorial.citations import (
    CitationData,
    ImportFormatError,
    citation_key,
    detect_format,
    format_ama,
    format_ama_html,
    normalise_doi,
    normalise_pmid,
    parse,
    title_fingerprint,
    validate,
)
from editorial.core.dates import today_utc
from editorial.core.errors import InvalidTransition, NotFound, ValidationError
from editorial.core.extensions import db
from editorial.citations.models import Citation
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.accounts.permissions import require
from editorial.core.validation import FieldErrors, clean_date, clean_text
from editorial.citations import queries as citation_queries


def get_citation(citation_id: int) -> Citation:
    citation = db.session.get(Citation, citation_id)
    if citation is None:
        raise NotFound("No such citation.")
    return citation


def data_of(citation: Citation) -> CitationData:
    return CitationData.from_dict(json.loads(citation.data))


def normalised(data: CitationData) -> CitationData:
    """Identifiers in their one stored form (validate() has already accepted them)."""
    if data.doi:
        data.doi = normalise_doi(data.doi)
    if data.pmid:
        data.pmid = normalise_pmid(data.pmid)
    return data


def find_duplicate(data: CitationData) -> Citation | None:
    """The library record for the same source: same DOI or PMID, else the same title and year."""
    conditions = []
    if data.doi:
        conditions.append(Citation.doi == data.doi)
    if data.pmid:
        conditions.append(Citation.pmid == data.pmid)
    if conditions:
        found = db.session.scalar(select(Citation).where(or_(*conditions)).limit(1))
        if found is not None:
            return found
    if not data.doi and not data.pmid:
        return db.session.scalar(
            select(Citation).where(Citation.fingerprint == title_fingerprint(data.title, data.year),
                                   Citation.doi.is_(None), Citation.pmid.is_(None)).limit(1)
        )
    return None


def _existing_keys(base: str) -> set[str]:
    return set(db.session.scalars(select(Citation.key).where(Citation.key.like(f"{base[:70]}%"))))


def _write_record(citation: Citation, data: CitationData, missing: dict[str, str]) -> None:
    """The record's columns from its data: the copies for search and display, and what it lacks."""
    citation.type, citation.title, citation.year = data.type, data.title, data.year
    citation.container_title, citation.url = data.container_title or None, data.url or None
    citation.doi, citation.pmid = data.doi or None, data.pmid or None
    citation.fingerprint = title_fingerprint(data.title, data.year)[:600]
    citation.data = json.dumps(data.to_dict(), ensure_ascii=False, sort_keys=True)
    citation.formatted, citation.formatted_html = format_ama(data), format_ama_html(data)
    citation.missing = json.dumps(list(missing.values()), ensure_ascii=False) if missing else None


def _insert(actor: User | None, data: CitationData, *, source: str, missing: dict[str, str] | None = None) -> Citation:
    provisional = citation_key(data)
    key = citation_key(data, _existing_keys(provisional))
    citation = Citation(
        key=key, created_by_id=actor.id if actor else None, retracted=data.retracted,
        retracted_at=utcnow().date() if data.retracted else None,
        retraction_note="Marked as a retracted publication by its source record." if data.retracted else None,
    )
    _write_record(citation, data, missing or {})
    db.session.add(citation)
    db.session.flush()
    audit.record("citation.created", actor=actor, object_type="citation", object_id=citation.id,
                 detail={"key": key, "doi": citation.doi, "pmid": citation.pmid, "source": source,
                         "retracted": citation.retracted, "missing": citation.missing_parts})
    return citation


def _complete(actor: User, citation: Citation, data: CitationData) -> Citation:
    """An incomplete imported record takes the complete data of the same source added by hand."""
    data.retracted = data.retracted or citation.retracted
    before = citation.missing_parts
    _write_record(citation, data, {})
    audit.record("citation.completed", actor=actor, object_type="citation", object_id=citation.id,
                 detail={"key": citation.key, "was_missing": before})
    return citation


def create_citation(actor: User, data: CitationData, *, source: str = "manual") -> tuple[Citation, bool]:
    """Add one source to the library; an existing record of the same source is returned instead.

    `source` is how it came, for the audit: "manual", or "lookup:doi" / "lookup:pmid"."""
    require(actor, "manage_citations", message="Only writers and editors add citations.")
    errors = validate(data)
    if errors:
        raise ValidationError("The citation has errors.", fields=errors)
    data = normalised(data)
    duplicate = find_duplicate(data)
    if duplicate is not None:
        if duplicate.missing and not _conflicting_identifiers(duplicate, data):
            return _complete(actor, duplicate, data), False
        return duplicate, False
    return _insert(actor, data, source=source), True


def _conflicting_identifiers(citation: Citation, data: CitationData) -> bool:
    """Another DOI or PMID than the stored one: not the same record to complete."""
    return bool((citation.doi and data.doi and citation.doi != data.doi)
                or (citation.pmid and data.pmid and citation.pmid != data.pmid))


@dataclass
class ImportReport:
    created: list[Citation] = field(default_factory=list)
    reused: list[Citation] = field(default_factory=list)
    rejected: list[tuple[str, dict]] = field(default_factory=list)
    warnings: list[tuple[str, list[str]]] = field(default_factory=list)  # (record label, messages)

    @property
    def citations(self) -> list[Citation]:
        return self.created + self.reused

    @property
    def incomplete(self) -> list[Citation]:
        return [c for c in self.created if c.missing]


def import_citations(actor: User, fmt, text, *, filename: str | None = None, field: str = "text") -> ImportReport:
    """Import every good record of an export; report each bad one with its reasons.

    No `fmt` (None or "") means: tell it from the content, else from `filename`. An unreadable
    file is an error of `field`, the form field it came from. The caller commits once, so an
    import is all its good records or nothing."""
    require(actor, "manage_citations", message="Only writers and editors import citations.")
    try:
        fmt = fmt or detect_format(text, filename)
        result = parse(fmt, text)
    except ImportFormatError as exc:
        raise ValidationError(exc.message, fields={field: exc.message}) from None
    except ValueError as exc:  # unknown format name
        raise ValidationError(str(exc), fields={"format": str(exc)}) from None
    report = ImportReport()
    seen: dict[str, Citation] = {}
    for record in result.records:
        if not record.ok and not record.incomplete:
            report.rejected.append((record.source_label, record.errors))
            continue
        if record.warnings:
            report.warnings.append((record.source_label, record.warnings))
        data = normalised(record.data)
        duplicate = find_duplicate(data)
        if duplicate is not None:
            if duplicate.id not in seen:
                report.reused.append(duplicate)
                seen[duplicate.id] = duplicate
            continue
        citation = _insert(actor, data, source=f"import:{fmt}", missing=record.missing)
        seen[citation.id] = citation
        report.created.append(citation)
    audit.record("citation.imported", actor=actor, object_type="citation_import",
                 detail={"format": fmt, "created": len(report.created), "reused": len(report.reused),
                         "rejected": len(report.rejected), "incomplete": len(report.incomplete)})
    return report


def retract(actor: User, citation: Citation, *, note, retracted_on=None) -> Citation:
    """An editor marks a source as retracted; articles citing it can no longer be submitted or published."""
    require(actor, "retract_citation", message="Only senior editors mark citations as retracted.")
    errors = FieldErrors()
    note = clean_text(errors, "note", note, max_length=2000, required=True, label="Retraction note")
    when = clean_date(errors, "retracted_on", retracted_on, "Retraction date") or utcnow().date()
    if when > today_utc():
        errors.add("retracted_on", "The retraction date is in the future.")
    errors.raise_if_any()
    from editorial.citations.retraction_checks import mark_retracted# the one write path for retractions

    if not mark_retracted(citation, actor=actor, note=note, retracted_on=when, source="editor"):
        raise InvalidTransition("This citation is already marked as retracted.")
    return citation


def first_author(citation: Citation) -> str:
    """The first author's family name (or the organisation), for the editor's suggestions."""
    try:
        data = CitationData.from_dict(json.loads(citation.data or "{}"))
    except (ValueError, TypeError):
        return ""
    if data.authors:
        return data.authors[0].family or data.authors[0].given or ""
    return data.org_author or ""


def suggestions(q: str, limit: int = 10) -> list[dict]:
    """Library records matching q (citation_queries.search_citations) as the editor's `[@` list shows them."""

    return [{"id": c.id, "key": c.key, "first_author": first_author(c), "year": c.year, "title": c.title,
             "retracted": c.retracted} for c in citation_queries.search_citations(q, limit)]


def search_statement(q: str | None = None):
    statement = select(Citation).order_by(Citation.id.desc())
    if q:
        q = q.strip()
        pattern = f"%{q.lower()}%"
        conditions = [Citation.key.like(pattern), Citation.title.ilike(pattern)]
        try:
            conditions.append(Citation.doi == normalise_doi(q))
        except ValueError:
            pass
        if q.isdigit():
            conditions.append(Citation.pmid == q)
        statement = statement.where(or_(*conditions))
    return statement


def export_file(fmt: str, citations: list[Citation]) -> tuple[str, str, str]:
    """(text, media type, file extension) of the citations in an export format; 422 for an unknown one."""
    from editorial.citations.export import EXPORT_FORMATS, export

    if fmt not in EXPORT_FORMATS:
        raise ValidationError("Unknown export format.", fields={"format": f"Choose one of {', '.join(EXPORT_FORMATS)}."})
    media_type, extension = EXPORT_FORMATS[fmt]
    return export(fmt, [(c.key, data_of(c)) for c in citations]), media_type, extension


def library_for_export() -> list[Citation]:
    return list(db.session.scalars(select(Citation).order_by(Citation.id)))
