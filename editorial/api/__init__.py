"""JSON API v1 (see API.md): bearer tokens, one error envelope, paginated lists."""
from flask import Blueprint, g, request

from editorial.errors import AuthenticationFailed
from editorial.services import users

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints that answer without a token (the public website reads these).
PUBLIC_ENDPOINTS: set[str] = set()


@api_bp.before_request
def _authenticate():
    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise AuthenticationFailed("Send an API token as 'Authorization: Bearer TOKEN'.")
    user = users.user_for_token(raw.strip())
    if user is None:
        raise AuthenticationFailed("The API token is unknown, revoked, or its account is deactivated.")
    g.api_user = user


from editorial.api import routes_article_citations, routes_articles, routes_audit, routes_citations, routes_users  # noqa: E402,F401  (registers routes)
