"""Shared pieces of the API: the caller, the role guard, raw JSON answers, time format."""
from datetime import datetime, timezone
from functools import wraps

from flask import Response, g

from editorial.accounts.permissions import require


def caller():
    return g.api_user


def allowed(action: str, message: str | None = None):
    """Refuse (403) a caller whose roles never allow `action` before the request is validated, so
    that a bad query string tells nothing to someone who may not ask. Goes above `@documented`."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            require(caller(), action, message=message)
            return view(*args, **kwargs)

        return guarded

    return decorate


def raw_json(text: str, status: int = 200) -> Response:
    """A response whose JSON is already written (a long list built line by line), sent as it is."""
    return Response(text, status=status, mimetype="application/json")


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:  # an answer built before its commit holds the clock's own datetimes
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
