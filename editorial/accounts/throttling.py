"""Sign-in throttling (Flask-Limiter): per address and per targeted account, shared across
workers through Redis when REDIS_URL is set (security.init_app configures the storage)."""
from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def _submitted_email() -> str:
    """The account a sign-in attempt is aimed at, so one account can't be hammered from many addresses."""
    return (request.form.get("email") or "").strip().lower()[:254] or get_remote_address()


# Applied to the sign-in views (accounts/views.py, accounts/two_factor_views.py): per address and per targeted account.
SIGN_IN_LIMITS = [
    limiter.shared_limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], scope="sign-in-address",
                         exempt_when=lambda: request.method != "POST"),
    limiter.shared_limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"], scope="sign-in-account",
                         key_func=_submitted_email, exempt_when=lambda: request.method != "POST"),
]
