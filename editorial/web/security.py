"""Security headers, NUL refusal and the idle timeout; the sign-in throttling is editorial/accounts/throttling.py."""
from datetime import timedelta

from flask import abort, request, session

from editorial.core.bounds import has_nul
from editorial.core.errors import ValidationError
from editorial.accounts.throttling import limiter

# A strict policy: nothing inline is executed or applied, nothing is loaded from elsewhere.
# (JSON-LD blocks are data, not script, so they need no exception.)
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("SIGN_IN_LIMIT_PER_ADDRESS", "20 per minute;100 per hour")
    app.config.setdefault("SIGN_IN_LIMIT_PER_ACCOUNT", "10 per minute;50 per hour")
    app.permanent_session_lifetime = timedelta(minutes=app.config.get("IDLE_TIMEOUT_MINUTES", 30))
    limiter.init_app(app)

    @app.before_request
    def _no_nul_characters():
        # PostgreSQL refuses a NUL in any text, so one in a query or form value (a search, a filter,
        # the sign-in e-mail) would fail deep inside; refuse the request up front, on both databases.
        sources = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
        for values in sources:
            for key, value in values.items(multi=True):
                if has_nul(key) or has_nul(value):
                    if request.path.startswith("/api/"):  # the API's envelope: 422 naming the field
                        raise ValidationError("Some fields are invalid.",
                                              fields={key.replace("\x00", ""): "Cannot contain a NUL character."})
                    abort(400, "A request parameter contains a NUL character.")

    @app.before_request
    def _idle_timeout():
        # A permanent session cookie expires PERMANENT_SESSION_LIFETIME after the last request
        # (it is refreshed on each one), which signs out an idle browser. An empty session (an
        # API client, a reader) stays empty: no cookie to sign and send with every response.
        if session:
            session.permanent = True

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.startswith(("public.", "static")):
            headers.setdefault("Cache-Control", "no-store")  # desk pages hold unpublished text
        return response
