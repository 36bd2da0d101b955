"""The request models' bases, and the rules the library (spectree, see openapi.py) cannot state.

Bodies (`Body`) are strict and forbid unknown fields. Before spectree validates one,
`read_json_body()` answers 400 for a body that is not JSON and 422 for one that is JSON but
not an object, nests deeper than any body needs, or holds text that no database can store
(NUL, lone surrogates). Bodies larger than MAX_CONTENT_LENGTH never get here (413 from Flask).

Query strings (`Query`) are lenient: unknown parameters are ignored, an empty value is absent,
as a form leaves it, and a repeated one counts once. Their numbers are whole numbers in ASCII digits (bounds.whole_number,
the pages' rule too). A pydantic refusal of either is the envelope's 422 `invalid`, naming each field.
"""
import dataclasses
import re
from datetime import datetime
from typing import Annotated, Any, get_type_hints

from flask import request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator
from pydantic import ValidationError as PydanticValidationError
from werkzeug.exceptions import BadRequest

from editorial.core.bounds import MAX_ID, utc_time, whole_number
from editorial.core.errors import DomainError, ValidationError

# No request body of this API nests deeper than this (an article's authors list is depth 3).
MAX_DEPTH = 32
# NUL and lone UTF-16 surrogates: valid in JSON text, unstorable in PostgreSQL and in UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def body_of(record: type, name: str, *, base: type[Body] = Body, exclude: frozenset[str] = frozenset(),
            required: frozenset[str] = frozenset(), types: dict[str, Any] | None = None) -> type[Body]:
    """A body model named `name` with the fields of the dataclass `record`, so that the field list
    is written once: their types (or `types`' replacements), defaults and metadata "description"s,
    less `exclude`; the `required` ones lose their default."""
    hints = get_type_hints(record)
    definitions: dict[str, Any] = {}
    for spec in dataclasses.fields(record):
        if spec.name in exclude:
            continue
        if spec.name in required or (spec.default is dataclasses.MISSING
                                     and spec.default_factory is dataclasses.MISSING):
            default = {"default": ...}
        elif spec.default_factory is not dataclasses.MISSING:
            default = {"default_factory": spec.default_factory}
        else:
            default = {"default": spec.default}
        definitions[spec.name] = ((types or {}).get(spec.name, hints[spec.name]),
                                  Field(**default, description=spec.metadata.get("description")))
    return create_model(name, __base__=base, __module__=base.__module__, **definitions)


class Query(BaseModel):
    """A query string's parameters: every value arrives as text."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _as_a_form_reads_it(cls, values):
        """A repeated parameter counts once, by its first value (as request.args.get reads it)."""
        if isinstance(values, dict):
            values = {name: value[0] if isinstance(value, list) else value for name, value in values.items()}
            return {name: value for name, value in values.items() if value != ""}
        return values


def _digits(value):
    """Query text as a number only in ASCII digits ('²' and '1_0' are not numbers here)."""
    return whole_number(value) if isinstance(value, str) else value


def _utc(value):
    return utc_time(value) if isinstance(value, str) else value


def query_int(minimum: int = 0, maximum: int = MAX_ID, **field) -> Any:
    """A whole number from `minimum` to `maximum` (the bounds stated before the digits rule, so
    that the OpenAPI schema shows them as `minimum` and `maximum`)."""
    return Annotated[int, Field(ge=minimum, le=maximum, **field), BeforeValidator(_digits)]


# ISO 8601 with Z or an offset; without one (a date alone too) it is UTC.
QueryTime = Annotated[datetime, BeforeValidator(_utc)]


def clipped(limit: int) -> AfterValidator:
    """Search words: only the first `limit` characters count (longer text is cut, not refused)."""
    return AfterValidator(lambda text: text[:limit] or None)


class PageQuery(Query):
    page: query_int(1, description="From 1.") = 1
    per_page: query_int(1, 100, description="At most 100.") = 25


class MalformedJSON(DomainError):
    status = 400
    code = "bad_request"


def invalid(exc: PydanticValidationError) -> ValidationError:
    """A pydantic refusal as the envelope's 422, naming each bad field by its dotted path."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, error["msg"])
    return ValidationError("Some fields are invalid.", fields=fields)


def _check_shape(payload) -> None:
    """422 for nesting deeper than MAX_DEPTH, or unstorable text anywhere (named by its field).

    Walked without recursion, so a deep body cannot exhaust the stack here either."""
    stack = [(payload, 1, "")]
    errors: dict[str, str] = {}
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationError("The request body is nested too deeply.", fields={"body": "Nested too deeply."})
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                errors.setdefault(where or "body", "Cannot contain a null character or a lone surrogate.")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                if _UNSTORABLE.search(key):
                    errors.setdefault(where or "body", "Field names cannot contain a null character or a lone surrogate.")
                    continue
                stack.append((item, depth + 1, name))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{where}.{i}" if where else str(i)) for i, item in enumerate(value))
    if errors:
        raise ValidationError("Some fields are invalid.", fields=dict(sorted(errors.items())))


def read_json_body() -> None:
    """Parse the request's JSON body once, whatever its Content-Type, and refuse what no model
    should see: 400 for malformed JSON, 422 for anything but a storable object of sane depth.
    The parsed body stays in the request's cache, where spectree then reads it."""
    if not request.get_data(cache=True).strip():
        return  # no body: validated as {}
    try:
        payload = request.get_json(force=True)
    except RecursionError:  # valid or not, nested far deeper than any body of ours
        raise ValidationError("The request body is nested too deeply.", fields={"body": "Nested too deeply."}) from None
    except BadRequest:  # not JSON: undecodable bytes, integers too long to convert...
        raise MalformedJSON("The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise ValidationError("The request body must be a JSON object.", fields={"body": "Expected an object."})
    _check_shape(payload)
