"""Shared pieces of the API: the caller, page arguments, list envelopes, time format."""
from datetime import datetime, timezone

from flask import Response, g, request

from editorial.api.schemas import MAX_ID
from editorial.core.errors import ValidationError
from editorial.articles.queries import MAX_PER_PAGE, Page


def caller():
    return g.api_user


def page_args() -> tuple[int, int]:
    errors = {}
    values = {}
    for name, default in (("page", 1), ("per_page", 25)):
        raw = request.args.get(name)
        if raw is None:
            values[name] = default
            continue
        if not whole_number(raw) or int(raw) < 1:
            errors[name] = f"{name} must be a whole number from 1."
            continue
        values[name] = int(raw)
    if values.get("per_page", 0) > MAX_PER_PAGE:
        errors["per_page"] = f"per_page is at most {MAX_PER_PAGE}."
    if errors:
        raise ValidationError("Invalid paging.", fields=errors)
    return values["page"], values["per_page"]


def whole_number(raw: str, maximum: int = MAX_ID) -> bool:
    """ASCII digits only (str.isdigit() also takes '²', which int() refuses), at most `maximum`."""
    return raw.isascii() and raw.isdigit() and int(raw) <= maximum


def list_body(page: Page, serialise) -> dict:
    return {"items": [serialise(item) for item in page.items], "page": page.page, "per_page": page.per_page, "total": page.total}


def raw_json(text: str, status: int = 200) -> Response:
    """A response whose JSON is already written (a long list built line by line), sent as it is."""
    return Response(text, status=status, mimetype="application/json")


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:  # an answer built before its commit holds the clock's own datetimes
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
