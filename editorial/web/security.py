"""Security headers, sign-in throttling and the idle timeout."""
from datetime import timedelta

from flask import abort, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from editorial.core.bounds import has_nul
from editorial.core.errors import ValidationError

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

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def _submitted_email() -> str:
    """The account a sign-in attempt is aimed at, so one account can't be hammered from many addresses."""
    return (request.form.get("email") or "").strip().lower()[:254] or get_remote_address()


# Applied to the sign-in view (see views/auth.py): per address and per targeted account.
SIGN_IN_LIMITS = [
    limiter.shared_limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], scope="sign-in-address",
                         exempt_when=lambda: request.method != "POST"),
    limiter.shared_limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"], scope="sign-in-account",
                         key_func=_submitted_email, exempt_when=lambda: request.method != "POST"),
]


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
