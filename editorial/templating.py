"""What every template can use: the permission check, roles, and formatting filters."""
from datetime import date, datetime

from flask_login import current_user

from editorial.permissions import can
from editorial.presenters import count_of, waiting_on
from editorial.roles import LANDING_ORDER, Role


def _nav_roles():
    if not current_user.is_authenticated:
        return []
    return [role for role in LANDING_ORDER if role in current_user.roles]


def _format_datetime(value: datetime | None) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


def _format_date(value: date | datetime | None) -> str:
    return value.strftime("%d %B %Y") if value else ""


def init_app(app):
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["count_of"] = count_of

    @app.context_processor
    def inject():
        return {
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "Role": Role,
            "nav_roles": _nav_roles(),
            "waiting_on": waiting_on,
        }
