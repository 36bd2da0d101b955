"""GET /published/{slug}: the live revision of a published article, for the public website.

No token needed (listed in PUBLIC_ENDPOINTS). An unknown, never-published or archived slug is
404 `not_found`; a miscased slug of a published article answers 301 to its lowercase address.
"""
from flask import redirect, url_for

from editorial.api import api_bp
from editorial.api.openapi import documented
from editorial.core.errors import NotFound, Unavailable
from editorial.public import page as public_page
from editorial.public import schemas as public_schemas
from editorial.public.schemas import PublishedPageOut


@api_bp.get("/published/<slug>")
@documented(PublishedPageOut, also={301: None}, public=True, errors=(404, 503), tag="public")
def published_article(slug: str):
    """The live page of a published article

    No token. A miscased slug answers 301 to the lowercase address. 503 `unavailable` when the live revision
    fails its checks (its text, its publication record, its signatures).
    """
    resolution = public_page.resolve(slug)
    if resolution is None:
        raise NotFound("No published article has that address.")
    if resolution.redirect_to is not None:
        return redirect(url_for("api.published_article", slug=resolution.redirect_to), 301)
    if resolution.withheld is not None:
        raise Unavailable("This page is temporarily unavailable: it failed its integrity checks and is being looked at.")
    return public_schemas.published_page(resolution.page), 200, {"Cache-Control": "public, max-age=60"}
