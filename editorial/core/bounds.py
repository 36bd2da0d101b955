"""The bounds of what a request may name, in one place for pages and API alike (issue #17).

Database ids, version and revision numbers, pages and keyset positions are 32-bit integers on
PostgreSQL: anything larger names nothing (a 404 in a path, the default in a query). A time whose
offset carries it past year 9999 or before year 1 is refused with a field error. No text that
reaches the database may hold a NUL character (PostgreSQL refuses it; security.py answers 400).
"""
from datetime import datetime, timezone

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

MAX_ID = 2_147_483_647


def whole_number(value: str) -> int:
    """`type=` for request.args.get: a whole number from 0 to MAX_ID, else ValueError (the default)."""
    if not value.isascii() or not value.strip().lstrip("-").isdigit() or len(value.strip()) > 11:
        raise ValueError("not a whole number in range")
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


def is_id(value) -> bool:
    """A database id as sent in JSON or parsed from a form: a whole number from 1 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: a larger id than MAX_ID is a 404, not a database error. The route
    still matches (so every method gets its usual answer), and the 404 is raised from the match."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound("No such thing: the id is larger than any this database holds.")
        return number


def utc_time(raw: str) -> datetime:
    """An ISO 8601 time (Z or an offset; none means UTC) as an aware UTC datetime. ValueError when it
    is not one or its offset carries it off the calendar."""
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("the time is outside the years 1 to 9999 in UTC") from None


def has_nul(text: str) -> bool:
    return "\x00" in text
