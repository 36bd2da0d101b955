"""Flask-Login wiring: how a session cookie becomes a user, and signing a user in and out.

The cookie names a server-side session (accounts/sessions.py); a request is signed in only while
that session is open, so signing out, or ending the session from another browser, ends it at once."""
from flask import g, request, session
from flask_login import login_user, logout_user

from editorial.core.clock import now
from editorial.core.extensions import db, login_manager
from editorial.accounts.models import User
from editorial.accounts import sessions


def init_app(app):
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        record = sessions.open_session(session.get(sessions.SESSION_KEY))
        if record is None or str(record.user_id) != user_id or not record.user.is_active:
            return None
        g.user_session = record
        return record.user

    @app.before_request
    def _note_session_seen():
        # Before anything of the request is read (the user loader runs later, on first use), and
        # at most once a minute per browser: the cookie says when this browser last wrote it.
        key = session.get(sessions.SESSION_KEY)
        if not key:
            return
        moment = int(now().timestamp())
        seen = session.get(sessions.SEEN_KEY)
        if isinstance(seen, int) and 0 <= moment - seen < sessions.SEEN_INTERVAL.total_seconds():
            return
        sessions.note_seen(key)
        session[sessions.SEEN_KEY] = moment


def sign_in(user: User) -> None:
    """Start a server-side session for a user whose credentials were just accepted (committed with
    the request). The caller has cleared the Flask session (a fresh one at sign-in: no fixation)."""
    record, key = sessions.start(user, user_agent=request.user_agent.string, remote_addr=request.remote_addr)
    session[sessions.SESSION_KEY] = key
    session[sessions.SEEN_KEY] = int(record.last_seen_at.timestamp())
    login_user(user)


def sign_in_client(client, user_id: int, *, user_agent: str) -> None:
    """Sign a Flask test client in as a user without the form (the tests' login fixture, the
    benchmarks): a server-side session, as sign_in starts, and the cookie values sign_in sets."""
    with client.application.app_context():
        record, key = sessions.start(db.session.get(User, int(user_id)), user_agent=user_agent, remote_addr=None)
        db.session.commit()
        seen = int(record.last_seen_at.timestamp())
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user_id)
        cookie["_fresh"] = True
        cookie[sessions.SESSION_KEY] = key
        cookie[sessions.SEEN_KEY] = seen


def sign_out(user: User) -> None:
    """End this browser's server-side session, so a copy of its cookie opens nothing either."""
    record = sessions.current()
    if record is not None:
        sessions.end(user, record, "signed_out")
    logout_user()
    session.clear()
