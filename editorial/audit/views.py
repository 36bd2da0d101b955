"""Auditor pages: the event log, exports, an article's timeline, as-of reconstruction,
signature manifests and the evidence pack. Auditors read everything and change nothing."""
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from editorial.core.bounds import whole_number
from editorial.audit import log as audit_log, evidence
from editorial.audit.chain import ACTIONS, verify_chain
from editorial.core.errors import ValidationError
from editorial.core.extensions import db
from editorial.articles.models import Article, Revision
from editorial.audit.models import AuditEvent
from editorial.reviews.models import Signature
from editorial.accounts.models import User
from editorial.accounts.permissions import can
from editorial.articles.rendering import render_body
from editorial.articles import history as article_history

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50
TITLE_SUGGESTIONS = 500


@bp.before_request
@login_required
def _auditors_only():
    if not can(current_user, "view_audit"):
        abort(403, "Only auditors and admins read the audit trail.")


def _filter_choices() -> dict:
    """What the filter form offers: article titles to suggest, actors by name, the action names.
    Read from the articles and users tables and a constant, never from the events table."""
    titles = db.session.scalars(select(Article.title).order_by(Article.updated_at.desc()).limit(TITLE_SUGGESTIONS)).all()
    actors = db.session.execute(select(User.id, User.name).order_by(User.name, User.id)).all()
    return {"titles": list(dict.fromkeys(titles)), "actors": actors, "actions": ACTIONS,
            "time_hint": audit_log.TIME_FORMAT_HINT}


@bp.get("/")
def log():
    newest_first = request.args.get("order") == "newest"
    try:
        filters = audit_log.parse_filter(request.args)
    except ValidationError as exc:
        return render_template("audit/log.html", events=[], filters=None, errors=exc.fields, args=request.args,
                               next_after=None, newest_first=newest_first, **_filter_choices()), 422
    after = request.args.get("after", type=whole_number) or 0
    events = db.session.scalars(audit_log.page(filters, after=after, newest_first=newest_first, size=PER_PAGE)).all()
    next_after = events[PER_PAGE - 1].id if len(events) > PER_PAGE else None
    return render_template("audit/log.html", events=events[:PER_PAGE], filters=filters, errors={}, args=request.args,
                           next_after=next_after, newest_first=newest_first, **_filter_choices())


def _export(kind: str):
    filters = audit_log.parse_filter(request.args)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    generator = audit_log.export_csv(filters) if kind == "csv" else audit_log.export_jsonl(filters)
    mimetype = "text/csv" if kind == "csv" else "application/x-ndjson"
    return Response(
        stream_with_context(generator), mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{"csv" if kind == "csv" else "jsonl"}"'},
    )


@bp.get("/export.csv")
def export_csv():
    return _export("csv")


@bp.get("/export.jsonl")
def export_jsonl():
    return _export("jsonl")


@bp.get("/verify")
def verify():
    return render_template("audit/verify.html", report=verify_chain())


@bp.get("/articles/<int:article_id>")
def timeline(article_id: int):
    article = article_history.get_article(article_id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == article.id).order_by(AuditEvent.id)).all()
    published = db.session.scalars(
        select(Revision.number).where(Revision.article_id == article.id, Revision.number.in_(
            select(AuditEvent.revision_number).where(AuditEvent.article_id == article.id, AuditEvent.action == "article.publish")
        ))
    ).all()
    return render_template("audit/timeline.html", article=article, events=events, published=published)


@bp.get("/articles/<int:article_id>/as-of")
def as_of(article_id: int):
    article = article_history.get_article(article_id)
    raw = request.args.get("at", "").strip()
    if not raw:
        return render_template("audit/as_of.html", article=article, at=None, revision=None)
    try:
        filters = audit_log.parse_filter({"since": raw})
    except ValidationError as exc:
        return render_template("audit/as_of.html", article=article, at=None, revision=None, error=exc.fields["since"]), 422
    moment = filters.since
    revision = article_history.live_revision_at(article, moment)
    context = {"article": article, "at": moment, "revision": revision}
    if revision is not None:
        context["citations"] = revision.citations
        context["rendered"] = render_body(revision.body, {c.key: n for n, c in enumerate(context["citations"], 1)})
        context["signatures"] = db.session.scalars(
            select(Signature).where(Signature.revision_id == revision.id).order_by(Signature.id)
        ).all()
    return render_template("audit/as_of.html", **context)


@bp.get("/articles/<int:article_id>/revisions/<int:number>/manifest")
def manifest(article_id: int, number: int):
    article = article_history.get_article(article_id)
    revision = article_history.get_revision(article, number)
    signatures = db.session.scalars(
        select(Signature).options(joinedload(Signature.signer)).where(Signature.revision_id == revision.id).order_by(Signature.id)
    ).all()
    return render_template("audit/manifest.html", article=article, revision=revision, signatures=signatures,
                           hash_ok=article_history.revision_hash(revision) == revision.content_hash)


@bp.get("/articles/<int:article_id>/evidence.zip")
def evidence_pack(article_id: int):
    article = article_history.get_article(article_id)
    return Response(
        evidence.build_zip(article), mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="evidence-{article.slug}.zip"'},
    )
