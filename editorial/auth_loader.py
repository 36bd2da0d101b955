"""Flask-Login wiring: how a session cookie becomes a user."""
from sqlalchemy.orm import joinedload

from editorial.extensions import db, login_manager
from editorial.models import User


def init_app(app):
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        # Roles in the same statement: every signed-in request needs them.
        user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])
        if user is None or user.session_version != int(version) or not user.is_active:
            return None
        return user
