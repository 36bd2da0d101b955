"""One mechanism for every request body: pydantic models, strict types, no unknown fields."""
import json
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from editorial.errors import DomainError, ValidationError


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MalformedJSON(DomainError):
    status = 400
    code = "bad_request"


Model = TypeVar("Model", bound=Body)


def parse_body(model: type[Model]) -> Model:
    """The request's JSON body as `model`; 400 for malformed JSON, 422 naming each bad field."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        payload = {}
    else:
        try:
            payload = json.loads(raw)
        except ValueError:
            raise MalformedJSON("The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise ValidationError("The request body must be a JSON object.", fields={"body": "Expected an object."})
    try:
        return model.model_validate(payload)
    except PydanticValidationError as exc:
        fields = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "body"
            fields.setdefault(name, error["msg"])
        raise ValidationError("Some fields are invalid.", fields=fields) from None
