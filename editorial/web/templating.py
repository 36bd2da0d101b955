"""What every template can use: the permission check, roles, and formatting filters."""
from datetime import datetime

from flask import has_request_context
from flask_login import current_user

from editorial.core.dates import format_datetime, long_date
from editorial.articles.workflow import Decision, State
from editorial.reviews.models import REVIEW_STATUS_LABELS
from editorial.reviews.service import ASSIGNABLE_STATES
from editorial.accounts.permissions import can
from editorial.reviews.presenters import waiting_on
from editorial.core.wording import count_of
from editorial.accounts.roles import LANDING_ORDER, Role


def _nav_roles():
    if not current_user.is_authenticated:
        return []
    return [role for role in LANDING_ORDER if role in current_user.roles]


def _viewer_zone() -> str:
    # Outside a request (the CLI, the notification worker) there is no viewer: UTC only.
    if not has_request_context() or not current_user.is_authenticated:
        return "UTC"
    return getattr(current_user, "time_zone", None) or "UTC"


def _format_datetime(value: datetime | None) -> str:
    return format_datetime(value, _viewer_zone())


def init_app(app):
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.filters["date"] = long_date
    app.jinja_env.globals["review_status_labels"] = REVIEW_STATUS_LABELS  # globals reach imported macros
    # The workflow's own words, so that a template compares states as the code does (State.APPROVED).
    app.jinja_env.globals.update(State=State, Decision=Decision, assignable_states=ASSIGNABLE_STATES)
    app.jinja_env.filters["count_of"] = count_of

    @app.context_processor
    def inject():
        return {
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "Role": Role,
            "nav_roles": _nav_roles(),
            "waiting_on": waiting_on,
        }
