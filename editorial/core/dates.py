"""Calendar helpers in UTC."""
import calendar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from editorial.core.clock import now


def long_date(value: date | datetime | None) -> str:
    """A date as pages and e-mails write it: "01 December 2026" ("" for none)."""
    return value.strftime("%d %B %Y") if value else ""


def today_utc() -> date:
    return now().date()


def add_months(start: date, months: int) -> date:
    """Same day n months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def local_to_utc(typed: datetime, zone_name: str | None) -> datetime:
    """A wall-clock time typed in the user's zone, as the UTC moment it names (stored as UTC)."""
    if typed.tzinfo is not None:
        return typed.astimezone(timezone.utc)
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    return typed.replace(tzinfo=zone).astimezone(timezone.utc)


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
