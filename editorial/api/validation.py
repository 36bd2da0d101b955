"""One mechanism for every request body: pydantic models, strict types, no unknown fields.

`parse_body(Model)` answers 400 for a body that is not JSON and 422 for one that is JSON but
not an acceptable `Model`: another top-level type, nesting deeper than any body needs, text
that no database can store (NUL, lone surrogates), or any field pydantic refuses. Bodies
larger than MAX_CONTENT_LENGTH never get here (413 from Flask, in the error envelope).

Query-string models (`Query`) describe each list's filters in the OpenAPI document; the views
parse them with their own helpers, and the fuzzer holds the two together.
"""
import json
import re
from typing import Annotated, TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from editorial.api.schemas import MAX_ID
from editorial.core.errors import DomainError, ValidationError

# No request body of this API nests deeper than this (an article's authors list is depth 3).
MAX_DEPTH = 32
# NUL and lone UTF-16 surrogates: valid in JSON text, unstorable in PostgreSQL and in UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """A query string's parameters (documentation; see the module docstring)."""

    model_config = ConfigDict(extra="ignore")


class PageQuery(Query):
    page: Annotated[int, Field(ge=1, le=MAX_ID, description="From 1.")] = 1
    per_page: Annotated[int, Field(ge=1, le=100, description="At most 100.")] = 25


class MalformedJSON(DomainError):
    status = 400
    code = "bad_request"


Model = TypeVar("Model", bound=Body)


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


def parse_body(model: type[Model]) -> Model:
    """The request's JSON body as `model`; 400 for malformed JSON, 422 naming each bad field."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        payload = {}
    else:
        try:
            payload = json.loads(raw)
        except RecursionError:  # valid or not, nested far deeper than any body of ours
            raise ValidationError("The request body is nested too deeply.", fields={"body": "Nested too deeply."}) from None
        except ValueError:  # includes undecodable bytes and integers too long to convert
            raise MalformedJSON("The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise ValidationError("The request body must be a JSON object.", fields={"body": "Expected an object."})
    _check_shape(payload)
    try:
        return model.model_validate(payload)
    except PydanticValidationError as exc:
        fields = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "body"
            fields.setdefault(name, error["msg"])
        raise ValidationError("Some fields are invalid.", fields=fields) from None
