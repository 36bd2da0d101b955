"""GET /published/{slug}: the live revision of a published article, for the public website.

No token needed (listed in PUBLIC_ENDPOINTS). An unknown, never-published or archived slug is
404 `not_found`; a miscased slug of a published article answers 301 to its lowercase address.
"""
from flask import jsonify, redirect, url_for

from editorial.public import page as public_page
from editorial.api import api_bp
from editorial.api.openapi import documented
from editorial.api.schemas import PublishedPageOut
from editorial.core.errors import NotFound, Unavailable


@api_bp.get("/published/<slug>")
@documented("The live page of a published article", response=PublishedPageOut, also={301: None}, public=True,
            errors=(404, 503), tag="public",
            description="No token. A miscased slug answers 301 to the lowercase address. 503 `unavailable` when the "
                        "live revision fails its checks (its text, its publication record, its signatures).")
def published_article(slug: str):
    resolution = public_page.resolve(slug)
    if resolution is None:
        raise NotFound("No published article has that address.")
    if resolution.redirect_to is not None:
        return redirect(url_for("api.published_article", slug=resolution.redirect_to), 301)
    if resolution.withheld is not None:
        raise Unavailable("This page is temporarily unavailable: it failed its integrity checks and is being looked at.")
    response = jsonify(public_page.api_json(resolution.page))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
