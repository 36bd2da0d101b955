"""The public site: published articles for readers, no sign-in.

Routes
- GET  /articles/<slug>           the live revision of a published article (301 from a former slug)
- POST /articles/<slug>/feedback  'Was this helpful?' (CSRF-protected form; anonymous; one vote per
                                  browser per article per day, and a per-network cap)
- GET  /health-topics             published articles by topic (also what `/` shows anonymous readers)

`/articles/<int:id>` (and `/articles/new`) belong to the signed-in desk, and Werkzeug prefers
them over `/articles/<slug>`. So that a slug made only of digits (a title such as "2024") or a
slug such as "new" still works for readers, an app-wide hook answers an anonymous GET of such a
desk address with the public page when that slug is published; otherwise the desk's own
sign-in redirect happens as before. Signed-in staff at those few addresses keep their desk.
"""
import re

from flask import (
    Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_from_directory, session, url_for,
)
from flask_login import current_user

from editorial import public_page

bp = Blueprint("public", __name__)

_DESK_ARTICLE_ADDRESS = re.compile(r"^/articles/([^/]+)$")


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


def _respond(slug: str, *, fall_through: bool = False):
    resolution = public_page.resolve(slug)
    if resolution is None:
        return None if fall_through else _not_found()
    if resolution.redirect_to is not None:
        return redirect(url_for("public.article", slug=resolution.redirect_to), 301)
    if resolution.withheld is not None:
        return _temporarily_unavailable()
    page = resolution.page
    url = url_for("public.article", slug=page.slug, _external=True)
    return render_template(
        "public/article.html", page=page, canonical_url=url,
        json_ld=public_page.json_for_html(public_page.json_ld(page, url)),
        voted=public_page.voted_today(session, page.article_id),
    )


@bp.before_app_request
def _reader_at_a_desk_address():
    endpoint = request.endpoint or ""
    if request.method not in ("GET", "HEAD") or not endpoint or endpoint.startswith("public."):
        return None
    match = _DESK_ARTICLE_ADDRESS.match(request.path)
    if match is None or current_user.is_authenticated:
        return None
    return _respond(match.group(1), fall_through=True)


@bp.get("/articles/<slug>")
def article(slug: str):
    return _respond(slug)


@bp.post("/articles/<slug>/feedback")
def feedback(slug: str):
    answer = request.form.get("helpful", "")
    if answer not in ("yes", "no"):
        abort(400, "Choose Yes or No.")
    article_row = public_page.resolve_live_article(slug)
    if article_row is None:
        return _not_found()
    target = url_for("public.article", slug=slug) + "#feedback"
    if public_page.voted_today(session, article_row.id):
        flash("You have already told us about this page today. Thank you.", "info")
        return redirect(target, 303)
    if not public_page.vote_limiter(current_app).allow(request.remote_addr or "", article_row.id):
        return render_template("public/message.html", heading="Too many answers",
                               message="We have had many answers about this page from your network today. "
                                       "Please try again tomorrow."), 429
    public_page.record_feedback(article_row, answer == "yes")
    public_page.remember_vote(session, article_row.id)
    flash("Thank you for your feedback.", "success")
    return redirect(target, 303)


@bp.get("/health-topics")
def index():
    return render_template("public/index.html", topics=public_page.published_by_topic())


@bp.get("/transparency/checkpoint.json")
def latest_checkpoint():
    """The latest signed checkpoint of the audit chain and the key that verifies it, for readers,
    auditors and mirrors to keep (checkpoints.py says what it signs)."""
    from editorial import checkpoints

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
    from editorial import checkpoints

    pem = checkpoints.public_key_pem()
    if pem is None:
        abort(404)  # nothing has been signed here yet
    return current_app.response_class(pem, mimetype="application/x-pem-file")
