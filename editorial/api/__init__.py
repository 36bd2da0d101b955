"""JSON API v1 (see API.md): bearer tokens, one error envelope, paginated lists.

Requests are parsed and validated, answers serialised, and the OpenAPI document
(GET /api/v1/openapi.json) built, by spectree from the same pydantic models: see openapi.py.
"""
from flask import Blueprint, g, request
from werkzeug.exceptions import MethodNotAllowed

from editorial.core.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationError
from editorial.accounts.permissions import PASSWORD_CHANGE_FIRST, password_change_reason
from editorial.accounts import service as users

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints that answer without a token (the public website reads these).
PUBLIC_ENDPOINTS: set[str] = {"api.published_article", "api.openapi_document"}


@api_bp.before_request
def _authenticate():
    g.api_user = None
    if request.endpoint not in PUBLIC_ENDPOINTS:
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationFailed("Send an API token as 'Authorization: Bearer TOKEN'.")
        user = users.authenticate_token(raw.strip()).user
        reason = password_change_reason(user)
        if reason:  # an administrator's or an aged password: change it in the web pages first
            raise PermissionDenied(PASSWORD_CHANGE_FIRST.format(reason=reason))
        g.api_user = user
    _check_arguments()


def _check_arguments() -> None:
    """Refuse what no query could use: ids beyond 32 bits (404), NUL characters (404 / 422)."""
    from editorial.api.schemas import MAX_ID

    for value in (request.view_args or {}).values():
        if (isinstance(value, int) and value > MAX_ID) or (isinstance(value, str) and "\x00" in value):
            raise NotFound("No such thing.")
    bad = sorted({name for name, value in request.args.items(multi=True) if "\x00" in name or "\x00" in value})
    if bad:
        raise ValidationError("Query parameters may not contain NUL characters.",
                              fields={name.replace("\x00", "") or "query": "Contains a NUL character." for name in bad})


@api_bp.after_app_request
def _allow_header(response):
    """A 405 under /api names the allowed methods (the JSON error handler drops Werkzeug's header)."""
    exc = request.routing_exception
    if response.status_code == 405 and isinstance(exc, MethodNotAllowed) and request.path.startswith("/api/"):
        if exc.valid_methods and "Allow" not in response.headers:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response
