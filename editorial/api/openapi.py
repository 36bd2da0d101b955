"""The OpenAPI 3.1 document of API v1, generated from the code.

Each view carries its own description, put there by `@documented(...)` right under its
`@api_bp.get/post/...` line: a summary, the pydantic model of its request body (the same one
`parse_body` validates with), the model of its query string, the model of its answer and the
error statuses it can answer. `openapi()` walks the application's URL map (not a list kept by
hand), so every `api.*` route is in the document; one without `@documented` is still listed,
and a test fails on it.

Served without a token at GET /api/v1/openapi.json.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app
from pydantic import BaseModel

from editorial.api import PUBLIC_ENDPOINTS, api_bp
from editorial.api.schemas import MAX_ID, ErrorOut

API_TITLE = "Vetted API"
API_VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    204: "No content",
    301: "Moved permanently: the address is a former one; `Location` holds the current one.",
    400: "Malformed JSON (`bad_request`).",
    401: "No token, or an unknown or revoked one (`unauthorized`).",
    403: "The caller's role or assignment does not allow it (`forbidden`; a failed signature is "
         "`reauthentication_failed`).",
    404: "No such thing, or none the caller can see (`not_found`).",
    409: "A stale `base_version`, or an approval naming a revision or content hash that is no longer the "
         "current one (`stale_version`), or an action the current state does not allow (`invalid_transition`).",
    413: "The request body is larger than the limit (`too_large`).",
    422: "A field is invalid (`invalid`; `fields` names each).",
    502: "Crossref or PubMed could not be reached, did not answer in time, or answered nothing readable "
         "(`source_unavailable`): add the source by hand.",
    503: "The live page failed its integrity checks and is withheld from readers (`unavailable`).",
}


@dataclass
class Doc:
    summary: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    query: type[BaseModel] | None = None
    public: bool = False
    errors: tuple[int, ...] = ()
    description: str = ""
    tag: str = ""
    also: dict[int, type[BaseModel] | None] = field(default_factory=dict)  # more success answers


def documented(summary: str, *, body: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
               status: int = 200, query: type[BaseModel] | None = None, public: bool = False,
               errors: tuple[int, ...] = (), description: str = "", tag: str = "",
               also: dict[int, type[BaseModel] | None] | None = None) -> Callable:
    """Attach the OpenAPI description to a view function (returned unchanged).

    Statuses implied by the rest are added by the builder: 401 unless public, 400/413/422 with a
    body, 422 with a query, 404 with path parameters. `errors` adds others (403, 409...).
    """

    def mark(view: Callable) -> Callable:
        view.__openapi__ = Doc(summary=summary, body=body, response=response, status=status, query=query,
                               public=public, errors=tuple(errors), description=description, tag=tag,
                               also=dict(also or {}))
        return view

    return mark


# --- Building the document ---------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")


def _path_parameters(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match: re.Match) -> str:
        converter, name = match.group("converter") or "default", match.group("name")
        if converter == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        elif converter == "path":
            schema = {"type": "string", "minLength": 1}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _PARAM.sub(replace, rule), parameters


class _Components:
    def __init__(self):
        self.schemas: dict[str, dict] = {}
        self._owners: dict[str, type] = {}

    def ref(self, model: type[BaseModel], mode: str = "validation") -> dict:
        """Add `model` (and the models it uses) to components; a $ref to it."""
        name = model.__name__
        if name not in self.schemas:
            schema = model.model_json_schema(ref_template=REF, mode=mode)
            for sub_name, sub_schema in schema.pop("$defs", {}).items():
                self._add(sub_name, sub_schema, None)
            self._add(name, schema, model)
        elif self._owners.get(name) not in (None, model):
            raise RuntimeError(f"Two models are named {name}: {self._owners[name]} and {model}")
        return {"$ref": REF.format(model=name)}

    def _add(self, name: str, schema: dict, owner: type | None) -> None:
        self.schemas.setdefault(name, schema)
        if owner is not None:
            self._owners[name] = owner


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        prop.pop("default", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _operation(endpoint: str, method: str, doc: Doc | None, path_params: list[dict], components: _Components) -> dict:
    public = endpoint in PUBLIC_ENDPOINTS
    name = endpoint.split(".", 1)[1]
    if doc is None:  # undocumented: listed all the same (tests/api/test_openapi.py refuses it)
        doc = Doc(summary=name.replace("_", " "), public=public)
    operation: dict[str, Any] = {"operationId": f"{method}_{name}", "summary": doc.summary}
    if doc.description:
        operation["description"] = doc.description
    if doc.tag:
        operation["tags"] = [doc.tag]
    if public:
        operation["security"] = []
    parameters = list(path_params)
    if doc.query is not None:
        parameters += _query_parameters(doc.query)
    if parameters:
        operation["parameters"] = parameters
    if doc.body is not None:
        operation["requestBody"] = {"required": True, "content": _json(components.ref(doc.body, "validation"))}

    responses: dict[str, dict] = {}
    for status, model in {doc.status: doc.response, **doc.also}.items():
        answer: dict[str, Any] = {"description": _DESCRIPTIONS.get(status, "OK")}
        if model is not None:
            answer["content"] = _json(components.ref(model, "serialization"))
        if status == 301:
            answer["headers"] = {"Location": {"schema": {"type": "string"}, "required": True}}
        responses[str(status)] = answer

    errors = set(doc.errors)
    if not public:
        errors.add(401)
    if doc.body is not None:
        errors |= {400, 413, 422}
    if doc.query is not None:
        errors.add(422)
    if path_params:
        errors.add(404)
    envelope = components.ref(ErrorOut, "serialization")
    for status in sorted(errors):
        responses[str(status)] = {"description": _DESCRIPTIONS[status], "content": _json(envelope)}
    operation["responses"] = responses
    return operation


def openapi(app=None) -> dict:
    """The OpenAPI 3.1 document for every `api.*` rule of the app (the current one by default)."""
    app = app or current_app
    components = _Components()
    components.ref(ErrorOut, "serialization")
    paths: dict[str, dict] = {}
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")), key=lambda r: r.rule)
    for rule in rules:
        path, path_params = _path_parameters(rule.rule)
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "__openapi__", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item = paths.setdefault(path, {})
            item[method.lower()] = _operation(rule.endpoint, method.lower(), doc, path_params, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": API_TITLE,
            "version": API_VERSION,
            "description": "Vetted, the medical-content review desk: JSON API v1. Every error has the body "
                           '`{"error": {"code", "message", "fields"?}}`; lists take `page` and `per_page` '
                           "(at most 100); times are ISO 8601 in UTC with a `Z`.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API token: `flask --app editorial users token EMAIL`."}},
        },
        "security": [{"bearer": []}],
    }


@api_bp.get("/openapi.json")
@documented("This OpenAPI document", public=True, tag="meta",
            description="Generated from the code on each request; served without a token.")
def openapi_document():
    return openapi()
