"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238, through pyotp).

Enrolment: `start` keeps a new secret pending on the user, `confirm` turns it on once the user
types a current code from their authenticator app; `disable` needs the password and a code.
Sign-in: after a correct password `begin_sign_in` returns the pending marker the view keeps in the
(signed) session; `complete_sign_in` checks the code and returns the user to log in.

A code is accepted for the current 30-second step or one step either side (clock drift), and
only for a step later than the last accepted one, so a code cannot be used twice.
Flushes; the caller commits. Never put a secret or a code in an audit record.
"""
import hmac

import pyotp
from flask import current_app
from sqlalchemy import or_, update
from sqlalchemy.orm.attributes import set_committed_value

from editorial import audit
from editorial.clock import now
from editorial.errors import DomainError, ReauthenticationFailed, ValidationError
from editorial.extensions import db
from editorial.models import User
from editorial.passwords import verify_password
from editorial.roles import Role
from editorial.services import users

ISSUER = "Vetted"
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps either side of now
PENDING_SECONDS = 5 * 60  # between a correct password and the code
WRONG_CODE = "That code is not correct. Type the 6-digit code your authenticator app shows now."
REUSED_CODE = "That code has already been used. Wait for the next code from your app and type that one."
PENDING_EXPIRED = "Your sign-in took too long or is no longer valid. Please sign in again."


class SecondFactorFailed(DomainError):
    """A wrong or reused code at sign-in; the refusal is audited and counted."""

    status = 401
    code = "unauthorized"
    keeps_audit_record = True


class PendingSignInInvalid(DomainError):
    """No pending sign-in, or it expired, or the account changed since the password step."""

    status = 401
    code = "unauthorized"


# --- Who needs it -------------------------------------------------------------------------

def required_roles(config=None) -> set[str]:
    config = config if config is not None else current_app.config
    return {str(r).strip() for r in (config.get("REQUIRE_TWO_FACTOR_FOR") or ()) if str(r).strip()}


def check_required_roles(config) -> None:
    """Refuse to start with a misspelt role name (it would silently require nothing)."""
    unknown = required_roles(config) - {role.value for role in Role}
    if unknown:
        raise ValueError(f"REQUIRE_TWO_FACTOR_FOR names unknown roles: {', '.join(sorted(unknown))}")


def is_required_for(user: User) -> bool:
    required = required_roles()
    return bool(required) and any(role.value in required for role in user.roles)


# --- Codes ------------------------------------------------------------------------------

def _step(moment=None) -> int:
    return int((moment or now()).timestamp()) // STEP_SECONDS


def _clean_code(code) -> str | None:
    if not isinstance(code, str):
        return None
    code = code.replace(" ", "").replace("-", "").strip()
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None


def _matching_step(secret: str, code, after_step: int | None) -> tuple[int | None, bool]:
    """(the step the code belongs to, or None; whether it matched only an already used step)."""
    code = _clean_code(code)
    if code is None:
        return None, False
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = _step()
    reused = False
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if after_step is not None and step <= after_step:
                reused = True
                continue
            return step, False
    return None, reused


def _claim_step(user: User, step: int) -> bool:
    """Spend a code's step: one conditional UPDATE, so of two requests sending the same code at once
    exactly one changes the row (the other waits for its row lock on PostgreSQL, for the write lock
    on SQLite, then finds the step spent). Reading the last step and writing it back would let both in."""
    db.session.flush()
    claimed = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    ).rowcount == 1
    if claimed:
        set_committed_value(user, "totp_last_step", step)
    return claimed


def provisioning_uri(user: User) -> str | None:
    if not user.totp_pending_secret:
        return None
    return pyotp.TOTP(user.totp_pending_secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (the CSP allows data: images)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped_key(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- Enrolment --------------------------------------------------------------------------

def start(user: User) -> str:
    """Make a new secret and keep it pending until a code from it is confirmed."""
    if user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is already on. Turn it off first to set up a new app.")
    user.totp_pending_secret = pyotp.random_base32()
    db.session.flush()
    return user.totp_pending_secret


def confirm(user: User, code) -> None:
    """Turn two-factor sign-in on once the user shows a current code from the pending secret.
    Other sessions of the user end: they began without a second factor."""
    if user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is already on.")
    if not user.totp_pending_secret:
        raise ValidationError("Start the set-up first.")
    step, _ = _matching_step(user.totp_pending_secret, code, None)
    if step is None:
        raise ValidationError("Your two-factor sign-in is not on yet.", {"code": WRONG_CODE})
    user.totp_secret = user.totp_pending_secret
    user.totp_pending_secret = None
    user.totp_enabled_at = now()
    user.totp_last_step = step  # the confirming code cannot sign in too
    user.session_version += 1
    db.session.flush()
    audit.record("user.two_factor_enabled", actor=user, object_type="user", object_id=user.id,
                 detail={"method": "totp"})


def disable(user: User, *, password, code, remote_addr: str | None = None) -> None:
    """Turn two-factor sign-in off: needs the current password and a current code. A refusal is
    audited and counts towards the lockout, like a failed sign-in."""
    if not user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is not on.")
    password_ok = isinstance(password, str) and bool(password) and verify_password(user.password_hash, password)
    step, reused = _matching_step(user.totp_secret, code, user.totp_last_step) if password_ok else (None, False)
    if step is not None and not _claim_step(user, step):
        step, reused = None, True  # another request spent it meanwhile
    if not password_ok or step is None:
        reason = "bad_password" if not password_ok else "reused_code" if reused else "wrong_code"
        users.record_failed_attempt(user, "two-factor change")  # before audit.record (row lock first)
        audit.record("user.two_factor_disable_refused", actor=user, object_type="user", object_id=user.id,
                     detail={"reason": reason, "remote_addr": remote_addr})
        fields = ({"password": "That is not your current password."} if not password_ok
                  else {"code": REUSED_CODE if reused else WRONG_CODE})
        raise ReauthenticationFailed("Two-factor sign-in is still on.", fields)
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None  # (totp_last_step keeps the spent step; a new secret starts afresh anyway)
    user.failed_attempts = 0
    db.session.flush()
    audit.record("user.two_factor_disabled", actor=user, object_type="user", object_id=user.id,
                 detail={"method": "totp", "remote_addr": remote_addr})


# --- Sign-in ----------------------------------------------------------------------------

def password_step(email, password, *, remote_addr: str | None = None) -> User:
    """The first step of signing in (users.authenticate): for a user with two-factor sign-in it
    records that the password was accepted and leaves the sign-in to the code step."""
    return users.authenticate(email, password, remote_addr=remote_addr)


def begin_sign_in(user: User, next_url: str | None = None) -> dict:
    """The marker kept in the signed session between the password and the code."""
    return {
        "user_id": user.id,
        "version": user.session_version,
        "expires": int(now().timestamp()) + PENDING_SECONDS,
        "next": next_url,
    }


def pending_user(marker) -> User:
    """The user a pending marker stands for, while it is valid."""
    if not isinstance(marker, dict):
        raise PendingSignInInvalid(PENDING_EXPIRED)
    user_id, version, expires = marker.get("user_id"), marker.get("version"), marker.get("expires")
    if not all(isinstance(v, int) for v in (user_id, version, expires)) or int(now().timestamp()) >= expires:
        raise PendingSignInInvalid(PENDING_EXPIRED)
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_active or not user.two_factor_enabled:
        raise PendingSignInInvalid(PENDING_EXPIRED)
    return user


def complete_sign_in(marker, code, *, remote_addr: str | None = None) -> User:
    """Check the code for a pending sign-in; a wrong or reused code is audited and counted."""
    user = pending_user(marker)
    step, reused = _matching_step(user.totp_secret, code, user.totp_last_step)
    if step is not None and not _claim_step(user, step):
        step, reused = None, True  # another browser sent the same code a moment earlier
    if step is None:
        users.record_failed_attempt(user, "second factor")  # before audit.record (row lock first)
        audit.record("auth.second_factor_failed", actor=user, object_type="user", object_id=user.id,
                     detail={"remote_addr": remote_addr, "reason": "reused_code" if reused else "wrong_code"})
        raise SecondFactorFailed(REUSED_CODE if reused else WRONG_CODE)
    user.failed_attempts = 0
    db.session.flush()
    audit.record("auth.second_factor_passed", actor=user, object_type="user", object_id=user.id,
                 detail={"remote_addr": remote_addr})
    return user


def pending_secret_of(user: User) -> str | None:
    """The secret being set up, for the set-up page (and tests)."""
    return user.totp_pending_secret
