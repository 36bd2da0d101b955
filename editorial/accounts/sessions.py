"""Signed-in sessions kept on the server (user_sessions), so that one can be ended at once.

The Flask session cookie holds a random key; the table holds its SHA-256, the user, when it began
and was last seen, and from which browser. The user loader (auth_loader.py) accepts a cookie only
while its row is open and was seen within the idle timeout. Signing out ends the row; so does the
user from another browser, and a password change, a lock, a deactivation or an administrator's
reset end every session of the user (end_all).

Flushes; the caller commits. Only note_seen commits, in a transaction of its own.
"""
import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from editorial.audit import chain as audit
from editorial.core.clock import now
from editorial.core.errors import NotFound
from editorial.core.extensions import db
from editorial.core.unit_of_work import on_its_own
from editorial.accounts.models import User, UserSession

log = logging.getLogger(__name__)

# The Flask session keys: the session's own key, and when this browser last wrote its last-seen
# time (so a request need not read the row to know whether to write it again).
SESSION_KEY = "session_key"
SEEN_KEY = "seen_at"
# Last seen is written at most this often per session.
SEEN_INTERVAL = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def idle_timeout() -> timedelta:
    return current_app.permanent_session_lifetime


def start(user: User, *, user_agent: str | None, remote_addr: str | None) -> tuple[UserSession, str]:
    """A new session for a user who has just signed in; returns it and the key for the cookie."""
    raw = secrets.token_urlsafe(32)
    moment = now()
    record = UserSession(user_id=user.id, key_hash=_digest(raw), created_at=moment, last_seen_at=moment,
                         user_agent=(user_agent or "")[:200], remote_addr=(remote_addr or None) and remote_addr[:64])
    db.session.add(record)
    db.session.flush()
    audit.record("session.started", actor=user, object_type="user", object_id=user.id,
                 detail={"session_id": record.id, "remote_addr": remote_addr})
    return record, raw


def open_session(raw_key) -> UserSession | None:
    """The open, not idle, session a cookie's key stands for, with its user and roles (one statement)."""
    if not isinstance(raw_key, str) or not raw_key:
        return None
    record = db.session.scalars(
        select(UserSession).options(joinedload(UserSession.user).joinedload(User.role_rows))
        .where(UserSession.key_hash == _digest(raw_key), UserSession.ended_at.is_(None))
    ).unique().first()
    # The cookie expires after the idle timeout too; last seen is written once a minute, hence the slack.
    if record is None or record.last_seen_at < now() - idle_timeout() - SEEN_INTERVAL:
        return None
    return record


def current() -> UserSession | None:
    """The session of this request, once the user loader has accepted it."""
    return g.get("user_session") if has_request_context() else None


def sessions_of(user: User) -> list[UserSession]:
    """The user's open sessions that are not idle, the most recently seen first."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                  UserSession.last_seen_at >= now() - idle_timeout() - SEEN_INTERVAL)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def get_own(user: User, session_id: int) -> UserSession:
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id:
        raise NotFound("No such session.")
    return record


def end(actor: User | None, record: UserSession, reason: str) -> None:
    """End one session (signing out, or the user ending it from another browser)."""
    if record.ended_at is not None:
        return
    record.ended_at = now()
    record.end_reason = reason
    db.session.flush()
    audit.record("session.ended", actor=actor, object_type="user", object_id=record.user_id,
                 detail={"session_id": record.id, "reason": reason})


def end_all(user: User, *, actor: User | None, reason: str, keep: UserSession | None = None) -> int:
    """End every open session of the user but `keep`; a sign-in waiting for its second factor
    ends too (its marker names the old session_version). Returns how many sessions ended."""
    statement = (update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                 .values(ended_at=now(), end_reason=reason).execution_options(synchronize_session="fetch"))
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    ended = db.session.execute(statement).rowcount or 0
    user.session_version += 1
    db.session.flush()
    if ended:
        audit.record("session.ended_all", actor=actor, object_type="user", object_id=user.id,
                     detail={"reason": reason, "sessions": ended, "kept_session_id": keep.id if keep else None})
    return ended


def note_seen(raw_key: str) -> None:
    """Write that a session was seen now. Called before the request reads anything, at most once a
    minute per browser, in a transaction of its own: a GET otherwise only reads
    (unit_of_work.on_its_own). A failure costs only the last-seen time."""
    with on_its_own("Could not record when a session was last seen"):
        moment = now()
        db.session.execute(update(UserSession)  # an idle session stays idle: it is over
                           .where(UserSession.key_hash == _digest(raw_key), UserSession.ended_at.is_(None),
                                  UserSession.last_seen_at >= moment - idle_timeout() - SEEN_INTERVAL)
                           .values(last_seen_at=moment).execution_options(synchronize_session=False))
