"""What every response model shares: the base model, the error envelope, the list envelope and
the field types (ids, versions, hashes, times).

Each domain's answers live in its own schemas.py (articles, citations, audit, accounts, public),
models beside the functions that build them from domain objects; spectree serialises them, so
the OpenAPI document cannot drift from what is sent, and an answer built any other way is
validated against the model of its status. Models forbid unknown fields for the same reason: a
new key in a response must be added to its model."""
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from editorial.api.helpers import iso
from editorial.audit.hashing import format_time
from editorial.core.bounds import MAX_ID
from editorial.core.reading import Page

# Database ids and version numbers are 32-bit integers; larger values in a path are 404.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


Version = Annotated[int, Field(ge=0, le=MAX_ID)]


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


# API.md: times are ISO 8601 in UTC with a Z, to the second (a naive time from the database is UTC).
Timestamp = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json"),
                      WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]


# An audit event's time to the microsecond: the very text its hash covers.
HashedTime = Annotated[datetime, PlainSerializer(format_time, return_type=str, when_used="json"),
                       WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)


class ErrorDetail(Out):
    code: str = Field(description="Machine-readable: bad_request, unauthorized, forbidden, reauthentication_failed, "
                                  "not_found, method_not_allowed, stale_version, invalid_transition, too_large, invalid…")
    message: str
    fields: dict[str, str] | None = Field(None, description="Only for validation errors: field name → problem.")


class ErrorOut(Out):
    """The one error envelope of the API."""

    error: ErrorDetail


class PageOut(Out):
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=100)
    total: int = Field(ge=0)


def page_of(model: type[PageOut], page: Page, serialise) -> PageOut:
    """One page of a list in the list envelope `model`, each item through `serialise`."""
    return model(items=[serialise(item) for item in page.items], page=page.page, per_page=page.per_page,
                 total=page.total)
