"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238, through pyotp).

Enrolment: `start` keeps a new secret pending on the user, `confirm` turns it on once the user
types a current code from their authenticator app, and returns ten recovery codes to show once;
`disable` needs the password and a code. Sign-in: after a correct password `begin_sign_in` returns
the pending marker the view keeps in the (signed) session; `complete_sign_in` checks the code (or a
recovery code) and returns the user to log in. An administrator can `reset` another user's.

A code is accepted for the current 30-second step or one step either side (clock drift), and
only for a step later than the last accepted one, so a code cannot be used twice: the step is spent
by one conditional UPDATE, so two requests with the same code cannot both pass.

Secrets are stored encrypted (editorial/core/secret_box.py). Recovery codes are 16 random base32
characters (80 bits), stored as SHA-256 of the user's id and the code: with that much randomness an
offline search of a leaked hash is hopeless, so the slow password hash (meant for guessable
passwords) would only make each sign-in verify ten argon2 hashes; a fast hash lets one indexed
UPDATE find and spend the code, exactly once.

Lock order, on every path that changes the account: the user's row first, then recovery codes, then
the audit chain (audit.record); the other order deadlocks two requests on PostgreSQL.
Flushes; the caller commits. Never put a secret or a code in an audit record.
"""
import hashlib
import hmac
import secrets

import pyotp
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from editorial.audit import chain as audit
from editorial.core import secret_box
from editorial.core.clock import now
from editorial.core.errors import DomainError, PermissionDenied, ReauthenticationFailed, ValidationError
from editorial.core.extensions import db
from editorial.accounts.two_factor_models import RecoveryCode
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.accounts.passwords import verify_password
from editorial.accounts.permissions import require
from editorial.accounts.roles import Role
from editorial.accounts import sessions, service as users

ISSUER = "Vetted"
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps either side of now
PENDING_SECONDS = 5 * 60  # between a correct password and the code
WRONG_CODE = "That code is not correct. Type the 6-digit code your authenticator app shows now."
REUSED_CODE = "That code has already been used. Wait for the next code from your app and type that one."
PENDING_EXPIRED = "Your sign-in took too long or is no longer valid. Please sign in again."
WRONG_SIGN_IN_CODE = ("That code is not correct. Type the 6-digit code your authenticator app shows now, "
                      "or one of your recovery codes.")
UNREADABLE_SECRET = ("Your authenticator app's key cannot be read on our side. Sign in with one of your recovery "
                     "codes, or ask an administrator to reset your two-factor sign-in.")
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: 5 bits a character
_RECOVERY_LENGTH = 16  # 80 bits
_REFUSALS = {"wrong_code": WRONG_SIGN_IN_CODE, "wrong_recovery_code": WRONG_SIGN_IN_CODE,
             "reused_code": REUSED_CODE, "unreadable_secret": UNREADABLE_SECRET}


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


def provisioning_uri(user: User) -> str | None:
    secret = pending_secret_of(user)
    if not secret:
        return None
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (the CSP allows data: images)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped_key(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- Secrets, encrypted at rest -------------------------------------------------------------

def pending_secret_of(user: User) -> str | None:
    """The secret being set up (for the set-up page), decrypted; None if none or unreadable."""
    return _decrypted(user, user.totp_pending_secret)


def _secret_of(user: User) -> str | None:
    return _decrypted(user, user.totp_secret)


def _decrypted(user: User, stored: str | None) -> str | None:
    if not stored:
        return None
    try:
        return secret_box.decrypt(stored)
    except secret_box.SecretUnreadable:
        # Never guess: the key changed or the row was altered. Recovery codes or a reset get them in.
        current_app.logger.error("The TOTP secret of user %s does not decrypt with TOTP_ENCRYPTION_KEY", user.id)
        return None


# --- Checking and spending a second factor -----------------------------------------------------

def _lock_account_row(user: User) -> None:
    """Take the user's row lock first (PostgreSQL; SQLite writers hold the database's already)."""
    db.session.flush()
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _claim_step(user: User, step: int) -> bool:
    """Spend a code's step: one conditional UPDATE, so of two requests sending the same code at once
    exactly one changes the row (the other waits for its row lock on PostgreSQL, for the write lock
    on SQLite, then finds the step spent). Reading the last step and writing it back would let both in."""
    claimed = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    ).rowcount == 1
    if claimed:
        set_committed_value(user, "totp_last_step", step)
    return claimed


def _clean_recovery_code(code) -> str | None:
    if not isinstance(code, str):
        return None
    code = code.replace(" ", "").replace("-", "").strip().lower()
    return code if len(code) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in code) else None


def _recovery_digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode("ascii")).hexdigest()


def _spend_recovery_code(user: User, code: str) -> bool:
    """Mark an unused code of this user used, in one conditional UPDATE (usable once, even at once)."""
    return db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == _recovery_digest(user.id, code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount == 1


def _second_factor(user: User, code) -> tuple[str | None, str]:
    """Check and spend a TOTP code or a recovery code. ("totp" or "recovery_code", "") when it is
    accepted, else (None, the refusal's reason, a key of _REFUSALS)."""
    _lock_account_row(user)
    recovery = _clean_recovery_code(code)
    if recovery is not None:
        return ("recovery_code", "") if _spend_recovery_code(user, recovery) else (None, "wrong_recovery_code")
    secret = _secret_of(user)
    if secret is None:
        return None, "unreadable_secret"
    step, reused = _matching_step(secret, code, user.totp_last_step)
    if step is not None and not _claim_step(user, step):
        step, reused = None, True  # another request sent the same code a moment earlier
    if step is None:
        return None, "reused_code" if reused else "wrong_code"
    return "totp", ""


# --- Recovery codes --------------------------------------------------------------------------

def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them (grouped) to show once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(user.id, c)) for c in codes)
    db.session.flush()
    audit.record("user.recovery_codes_generated", actor=user, object_type="user", object_id=user.id,
                 detail={"count": len(codes)})
    return ["-".join(c[i:i + 4] for i in range(0, len(c), 4)) for c in codes]


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id))
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def regenerate_recovery_codes(user: User, *, password, remote_addr: str | None = None) -> list[str]:
    """New recovery codes (the old ones stop working): needs the current password; a refusal is
    audited and counts towards the lockout."""
    if not user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is not on.")
    if not (isinstance(password, str) and password and verify_password(user.password_hash, password)):
        users.record_failed_attempt(user, "recovery codes")  # before audit.record (row lock first)
        audit.record("user.recovery_codes_refused", actor=user, object_type="user", object_id=user.id,
                     detail={"reason": "bad_password", "remote_addr": remote_addr})
        raise ReauthenticationFailed("Your recovery codes were not changed.",
                                     {"current_password": "That is not your current password."})
    _lock_account_row(user)
    return _new_recovery_codes(user)


# --- Enrolment --------------------------------------------------------------------------

def start(user: User) -> str:
    """Make a new secret and keep it pending (encrypted) until a code from it is confirmed."""
    if user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is already on. Turn it off first to set up a new app.")
    secret = pyotp.random_base32()
    user.totp_pending_secret = secret_box.encrypt(secret)
    db.session.flush()
    return secret


def confirm(user: User, code) -> list[str]:
    """Turn two-factor sign-in on once the user shows a current code from the pending secret, and
    return the recovery codes to show once. Other sessions of the user end: they began without a
    second factor."""
    if user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is already on.")
    secret = pending_secret_of(user)
    if not secret:
        raise ValidationError("Start the set-up first.")
    step, _ = _matching_step(secret, code, None)
    if step is None:
        raise ValidationError("Your two-factor sign-in is not on yet.", {"code": WRONG_CODE})
    user.totp_secret = user.totp_pending_secret
    user.totp_pending_secret = None
    user.totp_enabled_at = now()
    user.totp_last_step = step  # the confirming code cannot sign in too
    sessions.end_all(user, actor=user, reason="two_factor_enabled", keep=sessions.current())
    db.session.flush()
    audit.record("user.two_factor_enabled", actor=user, object_type="user", object_id=user.id,
                 detail={"method": "totp"})
    return _new_recovery_codes(user)


def _turn_off(user: User) -> None:
    """Forget the secrets and the recovery codes (totp_last_step keeps the spent step; a new secret
    starts afresh anyway)."""
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    db.session.flush()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, *, password, code, remote_addr: str | None = None) -> None:
    """Turn two-factor sign-in off: needs the current password and a current code (or a recovery
    code, for a lost phone). A refusal is audited and counts towards the lockout, like a failed sign-in."""
    if not user.two_factor_enabled:
        raise ValidationError("Two-factor sign-in is not on.")
    password_ok = isinstance(password, str) and bool(password) and verify_password(user.password_hash, password)
    method, reason = _second_factor(user, code) if password_ok else (None, "bad_password")
    if method is None:
        users.record_failed_attempt(user, "two-factor change")  # before audit.record (row lock first)
        audit.record("user.two_factor_disable_refused", actor=user, object_type="user", object_id=user.id,
                     detail={"reason": reason, "remote_addr": remote_addr})
        fields = ({"password": "That is not your current password."} if not password_ok
                  else {"code": _REFUSALS[reason]})
        raise ReauthenticationFailed("Two-factor sign-in is still on.", fields)
    _turn_off(user)
    user.failed_attempts = 0
    db.session.flush()
    audit.record("user.two_factor_disabled", actor=user, object_type="user", object_id=user.id,
                 detail={"method": method, "remote_addr": remote_addr})


def reset(actor: User, user: User, *, remote_addr: str | None = None) -> None:
    """An administrator turns another user's two-factor sign-in off (a lost phone, no recovery codes
    left); the user signs in with the password and sets it up again (at once, if their role
    requires it), and their sessions end. Never one's own: that would let a stolen admin password
    strip the admin's second factor; another administrator does it, or the admin turns it off
    with a code on their own two-factor page."""
    require(actor, "manage_users", message="Only administrators reset two-factor sign-in.")
    if actor.id == user.id:
        raise PermissionDenied("Ask another administrator to reset your own two-factor sign-in, or turn it off "
                               "yourself on your two-factor page (it needs your password and a code).")
    if not user.two_factor_enabled and not user.totp_pending_secret:
        raise ValidationError(f"{user.name} has no two-factor sign-in to reset.")
    _lock_account_row(user)
    _turn_off(user)
    user.session_version += 1  # a sign-in waiting for its code under the old second factor is cancelled
    db.session.flush()
    audit.record("user.two_factor_reset", actor=actor, object_type="user", object_id=user.id,
                 detail={"remote_addr": remote_addr})
    sessions.end_all(user, actor=actor, reason="two_factor_reset")  # sessions that began with it end


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


def complete_sign_in(marker, code, *, remote_addr: str | None = None) -> tuple[User, str]:
    """Check the code (or a recovery code) for a pending sign-in: (the user, "totp" or
    "recovery_code"). A wrong or reused code is audited and counted."""
    user = pending_user(marker)
    method, reason = _second_factor(user, code)
    if method is None:
        if reason != "unreadable_secret":  # no guess was checked: nothing to count
            users.record_failed_attempt(user, "second factor")  # before audit.record (row lock first)
        audit.record("auth.second_factor_failed", actor=user, object_type="user", object_id=user.id,
                     detail={"remote_addr": remote_addr, "reason": reason})
        raise SecondFactorFailed(_REFUSALS[reason])
    user.failed_attempts = 0
    db.session.flush()
    audit.record("auth.second_factor_passed", actor=user, object_type="user", object_id=user.id,
                 detail={"remote_addr": remote_addr, "method": method})
    return user, method
