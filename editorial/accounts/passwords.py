"""Password hashing with argon2id (argon2-cffi); parameters come from the app config."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import appcontext_pushed, current_app
from zxcvbn import zxcvbn

from editorial.accounts import permissions

MIN_LENGTH = 10
MAX_LENGTH = 256
# The password hash of an account that has none yet (an invitation is pending): no password verifies.
NO_PASSWORD = "!no-password"


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["PASSWORD_HASH_TIME_COST"], cfg["PASSWORD_HASH_MEMORY_KIB"], cfg["PASSWORD_HASH_PARALLELISM"])
    cache = current_app.extensions.setdefault("editorial_password_hashers", {})
    if key not in cache:
        cache[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return cache[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# zxcvbn's score runs 0-4; 3 means "safely unguessable" against an offline-throttled attack.
MIN_STRENGTH = 3


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is not acceptable, or None. Besides length, zxcvbn checks it against
    the 30,000 most common passwords and the dictionaries it ships with, and against the
    person's own name and e-mail."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    # zxcvbn refuses input past 72 characters; a longer password is judged by its first 72.
    result = zxcvbn(password[:72], user_inputs=[value[:72] for value in user_inputs if value])
    if result["score"] < MIN_STRENGTH:
        warning = result["feedback"].get("warning") or "This password is too easy to guess."
        return f"{warning} Try a few unrelated words together."
    return None


def burn_time_like_a_verify() -> None:
    """Spend a hash's time so an unknown e-mail answers as slowly as a wrong password."""
    _hasher().hash("unknown-account-placeholder")


def _hand_over_max_age(app, **_extra) -> None:
    permissions.MAX_PASSWORD_AGE_DAYS.set(app.config.get("PASSWORD_MAX_AGE_DAYS"))


# Every app context (commands, workers, requests) hands the deployment's maximum password age to the
# permission rules, which read no settings themselves (they know nothing of Flask). One receiver for
# every app, given the app as the signal's sender: a receiver per app would keep each app alive.
appcontext_pushed.connect(_hand_over_max_age)


def init_app(app) -> None:
    """At each request too: a request may run inside an app context pushed before the setting changed."""
    app.before_request(lambda: _hand_over_max_age(app))
