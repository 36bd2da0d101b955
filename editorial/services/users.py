"""Creating and managing accounts, signing in, and API tokens."""
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from editorial import audit
from editorial.errors import AuthenticationFailed, NotFound, ValidationError
from editorial.extensions import db
from editorial.models import ApiToken, User, UserRole
from editorial.models.base import utcnow
from editorial.passwords import burn_time_like_a_verify, hash_password, password_problem, verify_password
from editorial.permissions import require
from editorial.roles import Role
from editorial.services.validation import FieldErrors, clean_date, clean_email, clean_text

PROFILE_FIELDS = ("credentials", "specialty", "affiliation", "disclosure", "credential_valid_until")
SIGN_IN_FAILED = "The e-mail or password is not correct."


def _clean_roles(errors: FieldErrors, roles) -> set[Role]:
    result = set()
    for value in roles or []:
        try:
            result.add(Role(value))
        except ValueError:
            errors.add("roles", f"Unknown role: {value!r}.")
    if not result:
        errors.add("roles", "Choose at least one role.")
    return result


def _clean_profile(errors: FieldErrors, data: dict) -> dict:
    return {
        "credentials": clean_text(errors, "credentials", data.get("credentials"), max_length=120),
        "specialty": clean_text(errors, "specialty", data.get("specialty"), max_length=200),
        "affiliation": clean_text(errors, "affiliation", data.get("affiliation"), max_length=200),
        "disclosure": clean_text(errors, "disclosure", data.get("disclosure"), max_length=4000),
        "credential_valid_until": clean_date(
            errors, "credential_valid_until", data.get("credential_valid_until"), "Credential valid until"
        ),
    }


def _check_password(errors: FieldErrors, field: str, password, *about: str | None) -> None:
    if not isinstance(password, str) or not password:
        errors.add(field, "Password is required.")
        return
    problem = password_problem(password, tuple(a for a in about if isinstance(a, str)))
    if problem:
        errors.add(field, problem)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(actor: User | None, *, email, name, password, roles, **profile) -> User:
    """Create an account. actor None means the operator at the command line."""
    if actor is not None:
        require(actor, "manage_users")
    errors = FieldErrors()
    email = clean_email(errors, "email", email)
    name = clean_text(errors, "name", name, max_length=120, required=True)
    _check_password(errors, "password", password, email, name)
    role_set = _clean_roles(errors, roles)
    cleaned_profile = _clean_profile(errors, profile)
    if email and find_by_email(email):
        errors.add("email", "A user with this e-mail already exists.")
    errors.raise_if_any()

    user = User(email=email, name=name, password_hash=hash_password(password), **cleaned_profile)
    user.role_rows = [UserRole(role=role.value) for role in sorted(role_set)]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created", actor=actor, object_type="user", object_id=user.id,
        detail={"email": email, "roles": sorted(role_set)},
    )
    return user


def update_user(actor: User, user: User, *, name, roles, **profile) -> User:
    """Change a user's name, roles and reviewer profile; audit what changed."""
    require(actor, "manage_users")
    errors = FieldErrors()
    name = clean_text(errors, "name", name, max_length=120, required=True)
    role_set = _clean_roles(errors, roles)
    cleaned_profile = _clean_profile(errors, profile)
    if user.id == actor.id and Role.ADMIN not in role_set:
        errors.add("roles", "You cannot remove your own administrator role.")
    errors.raise_if_any()

    changed = [f for f, v in [("name", name), *cleaned_profile.items()] if getattr(user, f) != v]
    user.name = name
    for field, value in cleaned_profile.items():
        setattr(user, field, value)
    old_roles = user.roles
    if role_set != old_roles:
        user.role_rows = [UserRole(role=role.value) for role in sorted(role_set)]
        db.session.flush()
        audit.record(
            "user.roles_changed", actor=actor, object_type="user", object_id=user.id,
            detail={"from": sorted(old_roles), "to": sorted(role_set)},
        )
    if changed:
        db.session.flush()
        audit.record("user.updated", actor=actor, object_type="user", object_id=user.id, detail={"fields": changed})
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """Deactivate or reactivate an account. Accounts are never deleted: they carry history."""
    require(actor, "manage_users")
    if user.id == actor.id and not active:
        raise ValidationError("You cannot deactivate your own account.")
    if user.is_active_account == active:
        return user
    user.is_active_account = active
    user.session_version += 1
    db.session.flush()
    audit.record(
        "user.reactivated" if active else "user.deactivated",
        actor=actor, object_type="user", object_id=user.id,
    )
    return user


def change_password(user: User, *, current_password, new_password) -> None:
    errors = FieldErrors()
    if not isinstance(current_password, str) or not verify_password(user.password_hash, current_password):
        errors.add("current_password", "That is not your current password.")
    _check_password(errors, "new_password", new_password, user.email, user.name)
    errors.raise_if_any("Your password was not changed.")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # sign out every other session
    db.session.flush()
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id)


def authenticate(email, password, *, remote_addr: str | None = None) -> User:
    """Return the user for a correct e-mail and password; the failure never says which was wrong,
    nor whether the account is locked or deactivated (that is for the audit trail and admins)."""
    user = find_by_email(email) if isinstance(email, str) else None
    password_ok = False
    if user is None:
        burn_time_like_a_verify()
    else:
        password_ok = isinstance(password, str) and verify_password(user.password_hash, password)
    if not password_ok or not user.is_active:
        reason = ("bad_credentials" if not password_ok else "locked" if user.locked_at else "inactive")
        if user is not None and not password_ok:
            record_failed_attempt(user, "sign-in")  # before audit.record: see its docstring
        audit.record(
            "auth.sign_in_failed", actor=user, object_type="user", object_id=user.id if user else None,
            detail={"remote_addr": remote_addr, "reason": reason},
        )
        raise AuthenticationFailed(SIGN_IN_FAILED)
    if user.two_factor_enabled:
        # Not signed in yet: the code step completes it (and only a right code clears the
        # failure count, so re-entering the password between wrong codes dodges nothing).
        audit.record("auth.password_accepted", actor=user, object_type="user", object_id=user.id,
                     detail={"remote_addr": remote_addr, "next": "second factor"})
        return user
    user.failed_attempts = 0
    audit.record("auth.signed_in", actor=user, object_type="user", object_id=user.id, detail={"remote_addr": remote_addr})
    return user


def record_failed_attempt(user: User, kind: str) -> None:
    """Count a failed sign-in or signature; at the threshold the account locks and admins are told.

    The count is one UPDATE ... SET failed_attempts = failed_attempts + 1 RETURNING, so failures sent
    at once are never lost, and the row lock it takes orders them: the one that reaches the threshold
    locks the account, exactly once. Call it before audit.record, which takes the audit chain's lock:
    a request holding that lock and waiting for this row would deadlock with one holding the row."""
    from flask import current_app

    db.session.flush()
    count = db.session.execute(
        update(User).where(User.id == user.id).values(failed_attempts=User.failed_attempts + 1)
        .returning(User.failed_attempts).execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(user, "failed_attempts", count)
    if count < current_app.config.get("LOCKOUT_THRESHOLD", 5):
        return
    locked = db.session.execute(
        update(User).where(User.id == user.id, User.locked_at.is_(None))
        .values(locked_at=utcnow(), session_version=User.session_version + 1)  # end its sessions
        .returning(User.locked_at, User.session_version).execution_options(synchronize_session=False)
    ).first()
    if locked is None:
        return  # locked already, by an earlier failure
    set_committed_value(user, "locked_at", locked.locked_at)
    set_committed_value(user, "session_version", locked.session_version)
    audit.record("user.locked", actor=None, object_type="user", object_id=user.id,
                 detail={"failed_attempts": count, "last_failure": kind})
    _alert_admins(user, kind)
    db.session.flush()


def _alert_admins(user: User, kind: str) -> None:
    """Tell every administrator, through the notification outbox, that an account locked itself."""
    from editorial.services import notifications  # notifications imports this module's models

    notifications.account_locked(user, kind)


def unlock(actor: User, user: User) -> None:
    require(actor, "manage_users")
    if user.locked_at is None:
        return
    user.locked_at = None
    user.failed_attempts = 0
    db.session.flush()
    audit.record("user.unlocked", actor=actor, object_type="user", object_id=user.id)


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(actor: User | None, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Create an API token; the raw value is returned once and only its hash is stored."""
    if actor is not None and actor.id != user.id:
        require(actor, "manage_users")
    errors = FieldErrors()
    label = clean_text(errors, "label", label, max_length=80) or ""
    errors.raise_if_any()
    raw = "vt_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_token_digest(raw), label=label)
    db.session.add(token)
    db.session.flush()
    audit.record("token.issued", actor=actor, object_type="api_token", object_id=token.id, detail={"user_id": user.id, "label": label})
    return token, raw


def revoke_token(actor: User, token: ApiToken) -> None:
    if actor.id != token.user_id:
        require(actor, "manage_users")
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record("token.revoked", actor=actor, object_type="api_token", object_id=token.id, detail={"user_id": token.user_id})


def user_for_token(raw: str) -> User | None:
    token = db.session.scalars(
        select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.role_rows))  # one statement per request
        .where(ApiToken.token_hash == _token_digest(raw))
    ).unique().first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))
