"""Password hashing with argon2id (argon2-cffi); parameters come from the app config."""
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

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


def password_change_reason(user) -> str | None:
    """Why the user must change their password before anything else (signing included), or None:
    an administrator chose it, or it is older than PASSWORD_MAX_AGE_DAYS (off unless configured)."""
    if getattr(user, "must_change_password", False):
        return "An administrator set your password, so they know it. Choose your own before you go on."
    max_age = current_app.config.get("PASSWORD_MAX_AGE_DAYS") if has_app_context() else None
    changed = getattr(user, "password_changed_at", None)
    if max_age and changed is not None:
        from editorial.core.clock import now

        if changed < now() - timedelta(days=max_age):
            return f"Your password is more than {max_age} days old. Choose a new one before you go on."
    return None
