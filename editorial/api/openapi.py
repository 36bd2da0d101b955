"""The API's one schema layer: spectree parses, validates and documents from the pydantic models.

Each view carries `@documented(...)` right under its `@api_bp.get/post/...` line. spectree reads
the view's annotated parameters (`query: ArticleQuery`, `json: ArticleCreate`), validates the
query string and the body with those models and passes the parsed models in; the view answers a
response model (or `(model, status)`), which spectree serialises, and an answer that does not
match the model documented for its status fails loudly (500, logged) instead of reaching a
client. The OpenAPI 3.1 document is built from the same decorators: the summary and
description are the view's docstring, and the error statuses that follow from the rest are
added here (401 unless public, 400/413/422 with a body, 422 with a query, 404 with path
parameters), each answering the one error envelope `ErrorOut`.

Served without a token at GET /api/v1/openapi.json.
"""
import inspect
from typing import Callable

from pydantic import BaseModel
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin

from editorial.api import api_bp
from editorial.api.schemas import ErrorOut
from editorial.api.validation import invalid, read_json_body

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
_REQUEST_PARTS = {"query", "json"}  # the view parameters spectree fills; any other is a path parameter


class _Flask(FlaskPlugin):
    # Bodies are JSON whatever their Content-Type says (as before the library): no form models here.
    FORM_MIMETYPE = ()

    def request_validation(self, request, query, json, form, headers, cookies):
        if json is not None:
            read_json_body()  # 400 / 422 for what should never reach a model
        super().request_validation(request, query, json, form, headers, cookies)


def _refuse_invalid_request(req, resp, req_validation_error, instance, model_adapter):
    if req_validation_error is not None:
        raise invalid(req_validation_error)  # the envelope's 422, through the one error handler


def _fail_on_undocumented_answer(req, resp, resp_validation_error, instance, model_adapter):
    if resp_validation_error is not None:
        raise RuntimeError(f"An answer does not match its documented model: {resp_validation_error}")


api_spec = SpecTree(
    backend=_Flask,
    mode="strict",  # only the views decorated below; never the web pages
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_model=ErrorOut,
    before=_refuse_invalid_request,
    after=_fail_on_undocumented_answer,
    title="Vetted API",
    version="1.0.0",
    description="Vetted, the medical-content review desk: JSON API v1. Every error has the body "
                '`{"error": {"code", "message", "fields"?}}`; lists take `page` and `per_page` '
                "(at most 100); times are ISO 8601 in UTC with a `Z`.",
    servers=[{"url": "/"}],
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(
        type="http", scheme="bearer", description="An API token: `flask --app editorial users token EMAIL`."))],
    security={"bearer": []},
)


def documented(answer: type[BaseModel] | None = None, status: int = 200, *, errors: tuple[int, ...] = (),
               public: bool = False, tag: str = "", also: dict[int, type[BaseModel] | None] | None = None,
               prebuilt: bool = False) -> Callable:
    """Validate and document a view: `answer` is the model of its `status`, `also` more success
    answers, `errors` the error statuses beyond those implied by its parameters.

    `prebuilt`: a view with no query or body whose answer is JSON written by a function of its own
    (the revision list, a thousand rows) is documented but not parsed again per request: parsing
    it doubled the list's time under load. Its test holds that function to the model instead."""

    def decorate(view: Callable) -> Callable:
        parameters = set(inspect.signature(view).parameters)
        statuses = set(errors)
        if not public:
            statuses.add(401)
        if "json" in parameters:
            statuses |= {400, 413, 422}
        if "query" in parameters:
            statuses.add(422)
        if parameters - _REQUEST_PARTS:
            statuses.add(404)
        codes = {f"HTTP_{code}": (model, _DESCRIPTIONS.get(code, "OK")) for code, model in {status: answer, **(also or {})}.items()}
        codes |= {f"HTTP_{code}": (ErrorOut, _DESCRIPTIONS[code]) for code in sorted(statuses)}
        if prebuilt and parameters & _REQUEST_PARTS:
            raise TypeError("a prebuilt answer skips request validation too: only for views without query or body")
        return api_spec.validate(resp=Response(**codes), tags=(tag,) if tag else (),
                                 security={} if public else None, skip_validation=prebuilt)(view)

    return decorate


@api_bp.get("/openapi.json")
@documented(public=True, tag="meta")
def openapi_document():
    """This OpenAPI document

    Built from the views' validation models; served without a token.
    """
    return api_spec.spec
