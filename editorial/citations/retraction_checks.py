"""Applying retraction news to the library, and finding live pages that cite retracted sources.

Rules:
- A citation is flagged once: `mark_retracted` only changes a citation that is not yet
  retracted (a conditional UPDATE, so two workers racing flag it once), and writes one
  `citation.retracted` audit event naming the source. Running any check twice flags nothing new.
- An actor, when given, must be allowed to retract citations; None is the system (the worker).
- `check_library` commits after each batch when `commit=True` (the worker): the network lookups
  happen outside any transaction, so they never hold the write lock (SQLite) or the audit chain
  lock (PostgreSQL), and a crash keeps what was already flagged. Everything else follows the
  services' rule: flush, and the caller commits once.
"""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from editorial.audit import chain as audit
from editorial.articles.queries import live_articles_citing
from editorial.core.errors import ValidationError
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.citations.models import Citation
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.accounts.permissions import require
from editorial.citations.retractions import NotRetractionWatch, RetractionNotice, RetractionSource, RetractionWatchCsv

NOTE_MAX_LENGTH = 2000  # as for an editor's retraction note


@dataclass
class CheckReport:
    checked: int = 0  # sources the checker got an answer for
    flagged: list[str] = field(default_factory=list)  # keys of newly retracted citations
    errors: dict[str, str] = field(default_factory=dict)  # identifier -> why it could not be checked
    skipped: int = 0  # rows that were not usable retractions (Retraction Watch only)

    @property
    def total_failure(self) -> bool:
        """Something was to be checked and nothing could be."""
        return self.checked == 0 and bool(self.errors)


def mark_retracted(citation: Citation, *, actor: User | None, note: str, retracted_on: date | None,
                   source: str, notice_doi: str | None = None) -> bool:
    """Flag one citation as retracted and audit it; False (and no change) when it already was.

    The one write path for retractions, whoever finds them: editor, import, checker."""
    if actor is not None:
        require(actor, "retract_citation", message="Only senior editors mark citations as retracted.")
    today = utcnow().date()
    when = min(retracted_on or today, today)  # a source's UTC date can be "tomorrow" here
    note = note.strip()[:NOTE_MAX_LENGTH]
    changed = db.session.execute(
        update(Citation).where(Citation.id == citation.id, Citation.retracted.is_(False))
        .values(retracted=True, retracted_at=when, retraction_note=note)
        # "evaluate" keeps loaded objects in step without RETURNING, so rowcount stays exact.
        .execution_options(synchronize_session="evaluate")
    ).rowcount
    if changed != 1:
        return False
    audit.record("citation.retracted", actor=actor, object_type="citation", object_id=citation.id,
                 detail={"key": citation.key, "note": note, "retracted_on": when.isoformat(),
                         "source": source, "notice_doi": notice_doi})
    return True


def _mark(citation: Citation, notice: RetractionNotice, actor: User | None) -> bool:
    return mark_retracted(citation, actor=actor, note=notice.note, retracted_on=notice.retracted_on,
                          source=notice.source, notice_doi=notice.notice_doi)


def check_library(source: RetractionSource, actor: User | None = None, *, batch: int = 100,
                  commit: bool = False) -> CheckReport:
    """Ask `source` about every not-yet-retracted citation with a DOI, `batch` at a time, and
    flag the ones it reports retracted."""
    if actor is not None:
        require(actor, "retract_citation", message="Only senior editors mark citations as retracted.")
    report, last_id = CheckReport(), 0
    while True:
        # Keyset pages by id: memory stays bounded and rows flagged meanwhile drop out.
        rows = db.session.execute(
            select(Citation.id, Citation.doi)
            .where(Citation.doi.is_not(None), Citation.retracted.is_(False), Citation.id > last_id)
            .order_by(Citation.id).limit(batch)
        ).all()
        if not rows:
            return report
        last_id = rows[-1].id
        if commit:
            db.session.commit()  # end the read transaction before the slow lookups
        result = source.check([doi for _, doi in rows])
        report.errors.update(result.errors)
        report.checked += len(rows) - len(result.errors)
        ids = [id_ for id_, doi in rows if doi in result.retracted]
        if ids:
            for citation in db.session.scalars(select(Citation).where(Citation.id.in_(ids)).order_by(Citation.id)):
                if _mark(citation, result.retracted[citation.doi], actor):
                    report.flagged.append(citation.key)
            if commit:
                db.session.commit()


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load_retraction_watch(path_or_stream: str | Path | IO, actor: User | None, *, batch: int = 500) -> CheckReport:
    """Flag library citations that a Retraction Watch export lists as retracted, matched by DOI
    (lowercase) or PMID. The file is streamed; only `batch` rows are in memory at a time."""
    if actor is not None:
        require(actor, "retract_citation", message="Only senior editors mark citations as retracted.")
    reader = RetractionWatchCsv(path_or_stream)
    report = CheckReport()
    try:
        for notices in _chunks(reader, batch):
            report.checked += len(notices)
            by_doi = {n.doi: n for n in notices if n.doi}
            by_pmid = {n.pmid: n for n in notices if n.pmid}
            matches = db.session.scalars(
                select(Citation).where(Citation.retracted.is_(False),
                                       or_(Citation.doi.in_(list(by_doi)), Citation.pmid.in_(list(by_pmid))))
                .order_by(Citation.id)
            )
            for citation in matches:
                notice = by_doi.get(citation.doi) or by_pmid[citation.pmid]
                if _mark(citation, notice, actor):
                    report.flagged.append(citation.key)
    except NotRetractionWatch as exc:
        raise ValidationError(str(exc), fields={"file": str(exc)}) from None
    report.skipped = reader.other_nature + reader.unusable
    return report


@dataclass
class ArticleCitingRetracted:
    article: Article  # with .author loaded
    citations: list[Citation]  # the retracted ones its live revision cites, in citation order


def published_articles_citing_retracted(limit: int | None = None, *, batch: int = 1000) -> list[ArticleCitingRetracted]:
    """Live articles whose live revision cites a retracted source, newest publication first.

    At most three statements whatever the numbers: the retracted citations, the live revisions'
    reference rows that cite them (one join), and the matching articles with their authors (one
    more per 1000 matches)."""
    retracted = {c.id: c for c in db.session.scalars(select(Citation).where(Citation.retracted.is_(True)))}
    cited = live_articles_citing(retracted, limit=limit, batch=batch)
    found = {article_id: [retracted[i] for i in ids] for article_id, ids in cited.items()}
    if not found:
        return []
    by_id = {}
    for ids in _chunks(found, 1000):
        by_id.update((a.id, a) for a in db.session.scalars(
            select(Article).options(joinedload(Article.author)).where(Article.id.in_(ids))
        ).unique())
    return [ArticleCitingRetracted(by_id[i], found[i]) for i in found]
