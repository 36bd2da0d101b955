"""Creating and managing accounts, signing in, and API tokens."""
import hashlib
import secrets
import zoneinfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from editorial import audit
from editorial.errors import AuthenticationFailed, InvalidTransition, NotFound, ValidationError
from editorial.extensions import db
from editorial.models import ApiToken, Article, Revision, Signature, User, UserRole
from editorial.models.base import utcnow
from editorial.passwords import burn_time_like_a_verify, hash_password, password_problem, verify_password
from editorial.permissions import require
from editorial.roles import Role
from editorial.services.consequences import Consequence
from editorial.wording import and_list, count_of
from editorial.services.validation import FieldErrors, clean_date, clean_email, clean_text
from editorial.workflow import State

PROFILE_FIELDS = ("credentials", "specialty", "affiliation", "disclosure", "credential_valid_until")
SIGN_IN_FAILED = "The e-mail or password is not correct."
ACCOUNT_DEACTIVATED = "This account is deactivated. Ask an administrator to reactivate it."


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


def deactivation_consequence(actor: User, user: User) -> Consequence:
    """What deactivating this account stops: signing in, its API tokens, and its signatures counting
    for publishing (articles in review or approved on a revision it signed wait for an editor)."""
    require(actor, "manage_users")
    if user.id == actor.id:
        raise ValidationError("You cannot deactivate your own account.")
    if not user.is_active_account:
        raise InvalidTransition(f"{user.name} is already deactivated.")
    tokens = db.session.scalar(
        select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    waiting = db.session.scalars(
        select(Article.title).join(Revision, Revision.id == Article.current_revision_id)
        .join(Signature, Signature.revision_id == Revision.id)
        .where(Signature.signer_id == user.id, Signature.meaning == "approval",
               Signature.content_hash == Revision.content_hash,
               Article.state.in_([State.IN_REVIEW.value, State.APPROVED.value]))
        .distinct().order_by(Article.title)
    ).all()
    lines = [f"{user.name} can no longer sign in, and is signed out of every session now."]
    lines.append(f"Their {count_of(tokens, 'API token')} {'stops' if tokens == 1 else 'stop'} working." if tokens
                 else "They have no API token in use.")
    if waiting:
        lines.append(f"Their signatures stop counting for publishing: {and_list(f'“{t}”' for t in waiting)} "
                     f"cannot be published until an editor removes them from the reviewers or assigns a replacement.")
    else:
        lines.append("No article waiting for publication counts on their signature.")
    lines.append("The account and its history stay; an administrator can reactivate it.")
    return Consequence(f"Deactivate {user.name}?", tuple(lines))


def _time_zones() -> list[str]:
    # The zones this machine's IANA database knows (zoneinfo), UTC first.
    try:
        known = zoneinfo.available_timezones()
    except Exception:  # no zone database at all: UTC still works
        known = set()
    return ["UTC", *sorted(z for z in known if z != "UTC" and not z.startswith(("posix/", "right/")))]


TIME_ZONES = _time_zones()


def set_time_zone(user: User, time_zone) -> None:
    """The zone a user reads times in beside UTC; times are stored in UTC whatever it is."""
    if not isinstance(time_zone, str) or time_zone not in TIME_ZONES:
        raise ValidationError("Choose a time zone from the list.", fields={"time_zone": "Choose a time zone from the list."})
    if user.time_zone == time_zone:
        return
    previous, user.time_zone = user.time_zone, time_zone
    db.session.flush()
    audit.record("user.time_zone_changed", actor=user, object_type="user", object_id=user.id,
                 detail={"from": previous, "to": time_zone})


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
    nor whether the account is locked (that is for the audit trail and admins). Only after the
    right password is a deactivated account told so and whom to ask: before it, that would tell
    anyone which e-mails have accounts. A locked account keeps the generic answer, or the lockout
    would tell a password-guesser when they hit the right one."""
    user = find_by_email(email) if isinstance(email, str) else None
    password_ok = False
    if user is None:
        burn_time_like_a_verify()
    else:
        password_ok = isinstance(password, str) and verify_password(user.password_hash, password)
    if not password_ok or not user.is_active:
        reason = ("bad_credentials" if not password_ok else "locked" if user.locked_at else "inactive")
        audit.record(
            "auth.sign_in_failed", actor=user, object_type="user", object_id=user.id if user else None,
            detail={"remote_addr": remote_addr, "reason": reason},
        )
        if user is not None and not password_ok:
            record_failed_attempt(user, "sign-in")
        raise AuthenticationFailed(ACCOUNT_DEACTIVATED if reason == "inactive" else SIGN_IN_FAILED)
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
    """Count a failed sign-in or signature; at the threshold the account locks and admins are told."""
    from flask import current_app

    user.failed_attempts = (user.failed_attempts or 0) + 1
    threshold = current_app.config.get("LOCKOUT_THRESHOLD", 5)
    if user.failed_attempts >= threshold and user.locked_at is None:
        user.locked_at = utcnow()
        user.session_version += 1  # end its sessions
        db.session.flush()
        audit.record("user.locked", actor=None, object_type="user", object_id=user.id,
                     detail={"failed_attempts": user.failed_attempts, "last_failure": kind})
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
