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
