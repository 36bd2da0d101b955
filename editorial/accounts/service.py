"""Creating and managing accounts, signing in, passwords, invitations and API tokens."""
import hashlib
import logging
import secrets
import zoneinfo
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from editorial.audit import chain as audit
from editorial.core.errors import AuthenticationFailed, DomainError, InvalidTransition, NotFound, ValidationError
from editorial.core.extensions import db
from editorial.core.unit_of_work import on_its_own
from editorial.accounts.models import ApiToken, Invitation, User, UserRole
from editorial.articles.models import Article, Revision
from editorial.reviews.models import Signature
from editorial.core.model_base import utcnow
from editorial.accounts.passwords import (
    NO_PASSWORD,
    burn_time_like_a_verify,
    hash_password,
    password_problem,
    verify_password,
)
from editorial.accounts.permissions import require
from editorial.accounts.roles import Role
from editorial.core.consequences import Consequence
from editorial.core.wording import and_list, count_of
from editorial.core.validation import FieldErrors, clean_date, clean_email, clean_text
from editorial.articles.workflow import State

PROFILE_FIELDS = ("credentials", "specialty", "affiliation", "disclosure", "credential_valid_until")
SIGN_IN_FAILED = "The e-mail or password is not correct."
ACCOUNT_DEACTIVATED = "This account is deactivated. Ask an administrator to reactivate it."
# Days a new API token may live (None: until revoked).
TOKEN_LIFETIMES = (30, 90, 365, None)
# Last used is written at most this often per token.
TOKEN_USE_INTERVAL = timedelta(minutes=1)

log = logging.getLogger(__name__)


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


def create_user(actor: User | None, *, email, name, password, roles, invite: bool = False, **profile) -> User:
    """Create an account. actor None means the operator at the command line. A password an
    administrator typed must be changed at the first sign-in; with invite=True the account has no
    password until its holder chooses one through the link issue_invitation makes."""
    if actor is not None:
        require(actor, "manage_users")
    errors = FieldErrors()
    email = clean_email(errors, "email", email)
    name = clean_text(errors, "name", name, max_length=120, required=True)
    if invite:
        if password:
            errors.add("password", "Leave the password empty to send an invitation instead.")
    else:
        _check_password(errors, "password", password, email, name)
    role_set = _clean_roles(errors, roles)
    cleaned_profile = _clean_profile(errors, profile)
    if email and find_by_email(email):
        errors.add("email", "A user with this e-mail already exists.")
    errors.raise_if_any()

    user = User(email=email, name=name, password_hash=NO_PASSWORD if invite else hash_password(password),
                password_changed_at=None if invite else utcnow(),
                must_change_password=actor is not None and not invite, **cleaned_profile)
    user.role_rows = [UserRole(role=role.value) for role in sorted(role_set)]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created", actor=actor, object_type="user", object_id=user.id,
        detail={"email": email, "roles": sorted(role_set), "password": "invitation" if invite else
                "set by an administrator" if actor is not None else "set by the operator"},
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
    db.session.flush()
    audit.record(
        "user.reactivated" if active else "user.deactivated",
        actor=actor, object_type="user", object_id=user.id,
    )
    if not active:  # for good: reactivating brings back neither the sessions nor the tokens
        end_sessions_and_tokens(user, actor=actor, reason="deactivated")
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


def end_sessions_and_tokens(user: User, *, actor: User | None, reason: str, keep=None) -> None:
    """Sign the user out everywhere (but the session `keep`) and revoke every API token: after a
    password change or reset, a lock or a deactivation, nothing issued before it still works."""
    from editorial.accounts import sessions

    sessions.end_all(user, actor=actor, reason=reason, keep=keep)
    revoke_all_tokens(actor, user, reason)


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change


def change_password(user: User, *, current_password, new_password, keep_session=None) -> None:
    """The user's own change: every other session ends and every token is revoked; it also
    satisfies a change an administrator's password or the maximum age asked for."""
    errors = FieldErrors()
    current_ok = isinstance(current_password, str) and verify_password(user.password_hash, current_password)
    if not current_ok:
        errors.add("current_password", "That is not your current password.")
    _check_password(errors, "new_password", new_password, user.email, user.name)
    if current_ok and new_password == current_password:
        errors.add("new_password", "Choose a password different from your current one.")
    errors.raise_if_any("Your password was not changed.")
    _set_password(user, new_password, must_change=False)
    db.session.flush()
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id)
    end_sessions_and_tokens(user, actor=user, reason="password_changed", keep=keep_session)


def reset_password(actor: User, user: User, password) -> None:
    """An administrator sets a temporary password: the person must change it at their next
    sign-in, and is signed out everywhere meanwhile, their tokens revoked."""
    require(actor, "manage_users")
    errors = FieldErrors()
    _check_password(errors, "password", password, user.email, user.name)
    errors.raise_if_any("The password was not reset.")
    _set_password(user, password, must_change=True)
    db.session.flush()
    audit.record("user.password_reset", actor=actor, object_type="user", object_id=user.id)
    end_sessions_and_tokens(user, actor=actor, reason="password_reset")


# --- Invitations ----------------------------------------------------------------------------

class InvitationUnusable(DomainError):
    """A link that was used already or has expired: the person asks for a new one."""

    status = 410
    code = "gone"


INVITATION_USED = "This link has already been used. Sign in with the password you chose, or ask an administrator for a new link."
INVITATION_EXPIRED = "This link has expired. Ask an administrator for a new one."


def issue_invitation(actor: User, user: User) -> str:
    """A single-use link (its token; only its hash is kept) with which the user sets their own
    password, valid INVITATION_VALID_HOURS; earlier unused links of the user stop working."""
    require(actor, "manage_users")
    moment = utcnow()
    db.session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
                                                Invitation.expires_at > moment)
                       .values(expires_at=moment).execution_options(synchronize_session="fetch"))
    raw = secrets.token_urlsafe(32)
    hours = current_app.config.get("INVITATION_VALID_HOURS", 72)
    invitation = Invitation(user_id=user.id, token_hash=_token_digest(raw), created_by_id=actor.id,
                            created_at=moment, expires_at=moment + timedelta(hours=hours))
    db.session.add(invitation)
    db.session.flush()
    audit.record("user.invited", actor=actor, object_type="user", object_id=user.id,
                 detail={"invitation_id": invitation.id, "valid_hours": hours})
    return raw


def invitation_for(raw) -> Invitation:
    """The invitation a link stands for, while it can still be used."""
    invitation = None
    if isinstance(raw, str) and raw and len(raw) <= 100:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_digest(raw)))
    if invitation is None:
        raise NotFound("No such invitation. Check that the whole link was copied.")
    if invitation.used_at is not None:
        raise InvitationUnusable(INVITATION_USED)
    if invitation.expires_at <= utcnow() or not invitation.user.is_active:
        raise InvitationUnusable(INVITATION_EXPIRED)
    return invitation


def accept_invitation(raw, new_password) -> User:
    """The invitee chooses their password; the link is used up."""
    invitation = invitation_for(raw)
    user = invitation.user
    errors = FieldErrors()
    _check_password(errors, "new_password", new_password, user.email, user.name)
    errors.raise_if_any("Your password was not set.")
    # Used up in a conditional UPDATE, so two submissions at once set one password.
    used = db.session.execute(update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session="fetch")).rowcount
    if not used:
        raise InvitationUnusable(INVITATION_USED)
    _set_password(user, new_password, must_change=False)
    db.session.flush()
    audit.record("user.invitation_accepted", actor=user, object_type="user", object_id=user.id,
                 detail={"invitation_id": invitation.id})
    end_sessions_and_tokens(user, actor=user, reason="password_changed")
    return user


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
        if user is not None and not password_ok:
            record_failed_attempt(user, "sign-in")  # before audit.record: see its docstring
        audit.record(
            "auth.sign_in_failed", actor=user, object_type="user", object_id=user.id if user else None,
            detail={"remote_addr": remote_addr, "reason": reason},
        )
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
        .values(locked_at=utcnow()).returning(User.locked_at).execution_options(synchronize_session=False)
    ).first()
    if locked is None:
        return  # locked already, by an earlier failure
    set_committed_value(user, "locked_at", locked.locked_at)
    audit.record("user.locked", actor=None, object_type="user", object_id=user.id,
                 detail={"failed_attempts": count, "last_failure": kind})
    end_sessions_and_tokens(user, actor=None, reason="locked")  # unlocking brings none back
    _alert_admins(user, kind)
    db.session.flush()


def _alert_admins(user: User, kind: str) -> None:
    """Tell every administrator, through the notification outbox, that an account locked itself."""
    from editorial.notifications import service as notifications# notifications imports this module's models

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


def issue_token(actor: User | None, user: User, label: str = "", expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Create an API token, valid for one of TOKEN_LIFETIMES days (None: until revoked); the raw
    value is returned once and only its hash is stored."""
    if actor is not None and actor.id != user.id:
        require(actor, "manage_users")
    errors = FieldErrors()
    label = clean_text(errors, "label", label, max_length=80) or ""
    if expires_in_days not in TOKEN_LIFETIMES:
        errors.add("expires_in_days", "Choose one of the offered lifetimes.")
    errors.raise_if_any()
    raw = "vt_" + secrets.token_urlsafe(32)
    moment = utcnow()
    token = ApiToken(user_id=user.id, token_hash=_token_digest(raw), label=label, created_at=moment,
                     expires_at=moment + timedelta(days=expires_in_days) if expires_in_days else None)
    db.session.add(token)
    db.session.flush()
    audit.record("token.issued", actor=actor, object_type="api_token", object_id=token.id,
                 detail={"user_id": user.id, "label": label, "expires_in_days": expires_in_days})
    return token, raw


def revoke_token(actor: User, token: ApiToken) -> None:
    if actor.id != token.user_id:
        require(actor, "manage_users")
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record("token.revoked", actor=actor, object_type="api_token", object_id=token.id, detail={"user_id": token.user_id})


def revoke_all_tokens(actor: User | None, user: User, reason: str) -> None:
    """Revoke every live token of the user, each audited."""
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    moment = utcnow()
    for token in tokens:
        token.revoked_at = moment
        db.session.flush()
        audit.record("token.revoked", actor=actor, object_type="api_token", object_id=token.id,
                     detail={"user_id": user.id, "reason": reason})


TOKEN_REFUSED = "The API token is unknown, revoked, or its account is deactivated."
TOKEN_EXPIRED = "The API token has expired. Issue a new one on your account page."


def _token_by_digest(digest: str) -> ApiToken | None:
    return db.session.scalars(
        select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.role_rows))  # one statement per request
        .where(ApiToken.token_hash == digest)
    ).unique().first()


def authenticate_token(raw: str) -> ApiToken:
    """The live token for a raw value, with its user and roles; AuthenticationFailed otherwise.
    Its last-used time is brought up to date (at most once a minute, see note_token_used)."""
    digest = _token_digest(raw)
    token = _token_by_digest(digest)
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise AuthenticationFailed(TOKEN_REFUSED)
    moment = utcnow()
    if token.expires_at is not None and token.expires_at <= moment:
        raise AuthenticationFailed(TOKEN_EXPIRED)
    if token.last_used_at is None or token.last_used_at <= moment - TOKEN_USE_INTERVAL:
        note_token_used(token.id, moment)
        token = _token_by_digest(digest) or token  # the write ended the read; read the token again
    return token


def note_token_used(token_id: int, moment) -> None:
    """Write a token's last-used time in a transaction of its own (an API GET otherwise only
    reads: unit_of_work.on_its_own). Conditional, so many requests at once write it once; a failure
    costs only the last-used time."""
    with on_its_own("Could not record when API token %s was last used", token_id):
        db.session.execute(update(ApiToken).where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= moment - TOKEN_USE_INTERVAL),
        ).values(last_used_at=moment).execution_options(synchronize_session=False))


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))
