"""The evidence pack: everything about one article an auditor needs, in one download."""
import io
import json
import zipfile

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from editorial import audit_log
from editorial.audit import canonical_json, format_time
from editorial.extensions import db
from editorial.models import Article, AuditEvent, Comment, Revision, Signature
from editorial.queries import citations_by_id
from editorial.services.articles import citation_ids_of, revision_hash, unified_diff


def _time(value):
    return format_time(value) if value else None


def collect(article: Article) -> dict:
    """Revisions with diffs, signatures with their credential snapshots, the citations as they
    stood at each signed revision, comments and the article's audit events with chain hashes."""
    revisions = db.session.scalars(
        select(Revision).options(joinedload(Revision.author)).where(Revision.article_id == article.id).order_by(Revision.number)
    ).all()
    signatures = db.session.scalars(select(Signature).where(Signature.article_id == article.id).order_by(Signature.id)).all()
    comments = db.session.scalars(
        select(Comment).options(joinedload(Comment.author)).where(Comment.article_id == article.id).order_by(Comment.id)
    ).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == article.id).order_by(AuditEvent.id)).all()
    all_ids = {i for r in revisions for i in citation_ids_of(r)}
    citations = citations_by_id(list(all_ids))
    signed_numbers = {s.revision_number for s in signatures}
    return {
        "article": {
            "id": article.id, "slug": article.slug, "title": article.title, "state": article.state,
            "version": article.version, "topic": article.topic, "published_at": _time(article.published_at),
            "last_reviewed_at": _time(article.last_reviewed_at),
            "live_revision_id": article.live_revision_id,
        },
        "revisions": [
            {
                "number": r.number, "author": r.author.name, "created_at": _time(r.created_at), "note": r.note,
                "title": r.title, "summary": r.summary, "body": r.body, "citation_ids": citation_ids_of(r),
                "content_hash": r.content_hash, "hash_recomputed_matches": revision_hash(r) == r.content_hash,
                "diff_from_previous": unified_diff(previous, r) if previous else None,
                "citations_at_this_revision": [
                    {"id": i, "key": citations[i].key, "formatted": citations[i].formatted,
                     "data": json.loads(citations[i].data), "retracted": citations[i].retracted}
                    for i in citation_ids_of(r) if i in citations
                ] if r.number in signed_numbers else None,
            }
            for previous, r in zip([None, *revisions[:-1]], revisions)
        ],
        "signatures": [
            {
                "revision_number": s.revision_number, "content_hash": s.content_hash, "signed_at": _time(s.signed_at),
                "meaning": s.meaning, "printed_name": s.printed_name, "credentials": s.credentials,
                "specialty": s.specialty, "affiliation": s.affiliation, "disclosure": s.disclosure,
                "conflict_of_interest": s.conflict_of_interest,
            }
            for s in signatures
        ],
        "comments": [
            {"revision_number": c.revision_number, "author": c.author.name, "created_at": _time(c.created_at),
             "kind": c.kind, "quote": c.quote, "body": c.body, "resolved_at": _time(c.resolved_at)}
            for c in comments
        ],
        "audit_events": [audit_log.event_dict(e) for e in events],
    }


def build_zip(article: Article) -> bytes:
    evidence = collect(article)
    html = render_template("audit/evidence.html", evidence=evidence)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evidence.json", canonical_json(evidence))
        archive.writestr("evidence.html", html)
        archive.writestr("README.txt", (
            "Evidence pack for one article.\n"
            "evidence.html is for reading; evidence.json holds the same records for checking.\n"
            "Each audit event's hash can be recomputed from its content; see the project README,\n"
            "section 'Verifying an export'. Each revision's content_hash is the SHA-256 of its\n"
            "canonical JSON {title, summary, body, citation_ids}.\n"
        ))
    return buffer.getvalue()
