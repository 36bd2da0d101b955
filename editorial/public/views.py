"""The public site: published articles for readers, no sign-in.

Routes
- GET  /health/<slug>             the live revision of a published article (301 from a miscased slug)
- POST /health/<slug>/feedback    'Was this helpful?' (CSRF-protected form; anonymous; one vote per
                                  browser per article per day, and a per-network cap)
- GET  /health-topics             published articles by topic (also what `/` shows anonymous readers)
- GET  /articles/<slug>           the old address of a live page: 301 to /health/<slug>

Readers' pages have an address space of their own, `/health/`, so no slug can meet a desk address
(`/articles/<int:id>`, `/articles/new`). The old public addresses keep working: slugs made from
titles are never all digits nor "new" (articles.editing.RESERVED_SLUGS), so Werkzeug routes the old
address of every slug here rather than to the desk.
"""
from flask import (
    Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_from_directory, session, url_for,
)

from editorial.public import feedback as reader_feedback
from editorial.public import page as public_page

bp = Blueprint("public", __name__)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; pages link the SVG."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico", mimetype="image/x-icon", max_age=86400)


def _not_found():
    return render_template("public/not_found.html"), 404


def _temporarily_unavailable():
    """A live page that failed its checks (public_page.Withheld): readers never see unapproved text."""
    response = current_app.make_response((render_template(
        "public/message.html", heading="This page is temporarily unavailable",
        message="We are checking this page before showing it again. Please come back later; "
                "if you need medical advice now, ask your own doctor or nurse."), 503))
    response.headers["Retry-After"] = "3600"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/health/<slug>")
def article(slug: str):
    resolution = public_page.resolve(slug)
    if resolution is None:
        return _not_found()
    if resolution.redirect_to is not None:
        return redirect(url_for("public.article", slug=resolution.redirect_to), 301)
    if resolution.withheld is not None:
        return _temporarily_unavailable()
    page = resolution.page
    url = url_for("public.article", slug=page.slug, _external=True)
    return render_template(
        "public/article.html", page=page, canonical_url=url,
        json_ld=public_page.json_for_html(public_page.json_ld(page, url)),
        voted=reader_feedback.voted_today(session, page.article_id),
    )


@bp.get("/articles/<slug>")
def moved_article(slug: str):
    """Readers' pages moved to /health/ (links, bookmarks and search engines follow the 301)."""
    current = public_page.live_slug(slug)
    if current is None:
        return _not_found()
    return redirect(url_for("public.article", slug=current), 301)


@bp.post("/health/<slug>/feedback")
def feedback(slug: str):
    answer = request.form.get("helpful", "")
    if answer not in ("yes", "no"):
        abort(400, "Choose Yes or No.")
    article_row = public_page.resolve_live_article(slug)
    if article_row is None:
        return _not_found()
    target = url_for("public.article", slug=slug) + "#feedback"
    if reader_feedback.voted_today(session, article_row.id):
        flash("You have already told us about this page today. Thank you.", "info")
        return redirect(target, 303)
    if not reader_feedback.vote_limiter(current_app).allow(request.remote_addr or "", article_row.id):
        return render_template("public/message.html", heading="Too many answers",
                               message="We have had many answers about this page from your network today. "
                                       "Please try again tomorrow."), 429
    reader_feedback.record_feedback(article_row, answer == "yes")
    reader_feedback.remember_vote(session, article_row.id)
    flash("Thank you for your feedback.", "success")
    return redirect(target, 303)


@bp.get("/health-topics")
def index():
    return render_template("public/index.html", topics=public_page.published_by_topic())


@bp.get("/transparency/checkpoint.json")
def latest_checkpoint():
    """The latest signed checkpoint of the audit chain and the key that verifies it, for readers,
    auditors and mirrors to keep (checkpoints.py says what it signs)."""
    from editorial.audit import checkpoints

    latest = checkpoints.latest()
    response = jsonify({
        "checkpoint": checkpoints.as_dict(latest) if latest else None,
        "public_key": checkpoints.public_key_pem(),
        "signed_payload": "JSON of {created_at, event_count, event_hash, event_id, key_id}, keys sorted, "
                          "separators (',', ':'), UTF-8; signature: Ed25519, hex",
    })
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/transparency/audit-public-key.pem")
def audit_public_key():
    from editorial.audit import checkpoints

    pem = checkpoints.public_key_pem()
    if pem is None:
        abort(404)  # nothing has been signed here yet
    return current_app.response_class(pem, mimetype="application/x-pem-file")
