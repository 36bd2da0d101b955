"""What every template can use: the permission check, roles, and formatting filters."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context
from flask_login import current_user

from editorial.core.dates import long_date
from editorial.reviews.models import REVIEW_STATUS_LABELS
from editorial.accounts.permissions import can
from editorial.reviews.presenters import waiting_on
from editorial.core.wording import count_of
from editorial.accounts.roles import LANDING_ORDER, Role


def _nav_roles():
    if not current_user.is_authenticated:
        return []
    return [role for role in LANDING_ORDER if role in current_user.roles]


def format_datetime(value: datetime | None, zone_name: str = "UTC") -> str:
    """UTC first (what the record and the auditors read), then the reader's own zone when it is
    not UTC: "01 Dec 2026, 14:00 UTC (09:00 EST)", with the day when it differs there."""
    if not value:
        return ""
    utc = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    text = utc.strftime("%d %b %Y, %H:%M UTC")
    zone = zone_of(zone_name)
    if zone is None:
        return text
    local = utc.astimezone(zone)
    day = "" if local.date() == utc.date() else f"{local.day} {local:%b}, "
    return f"{text} ({day}{local:%H:%M} {local.tzname()})"


def zone_of(zone_name: str | None) -> ZoneInfo | None:
    """The user's zone, or None for UTC (or a zone this machine does not know)."""
    if not zone_name or zone_name == "UTC":
        return None
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


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
    app.jinja_env.filters["count_of"] = count_of

    @app.context_processor
    def inject():
        return {
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "Role": Role,
            "nav_roles": _nav_roles(),
            "waiting_on": waiting_on,
        }
