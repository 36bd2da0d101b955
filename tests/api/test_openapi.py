"""The OpenAPI document: complete (every api.* route), valid OpenAPI 3.1, served without a token,
and true to what the API actually answers (real responses validate against its models).
Also: request bodies that are not JSON, not an object, too deep, too large or unstorable are
400/413/422 in the error envelope, never 500."""
import inspect
import json
import re

import pytest

from editorial.accounts import schemas as accounts_schemas
from editorial.api import PUBLIC_ENDPOINTS
from editorial.api import schemas as api_schemas
from editorial.articles import schemas as articles_schemas
from editorial.audit import schemas as audit_schemas
from editorial.citations import schemas as citations_schemas
from editorial.public import schemas as public_schemas
from tests.conftest import TEST_PASSWORD

DOC = "/api/v1/openapi.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client):
    response = client.get(DOC)  # no token
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]


def test_every_api_route_is_in_the_document_with_its_methods(app, document):
    rules = _api_rules(app)
    assert len(rules) >= 25
    for rule in rules:
        path = _openapi_path(rule.rule)
        assert path in document["paths"], f"{rule.rule} ({rule.endpoint}) is not in the OpenAPI document"
        methods = {m.lower() for m in rule.methods} - {"head", "options"}
        assert methods <= set(document["paths"][path]), f"{rule.rule}: {methods} vs {set(document['paths'][path])}"
    documented = {(path, method) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS}
    in_url_map = {(_openapi_path(r.rule), m.lower()) for r in rules for m in r.methods if m not in ("HEAD", "OPTIONS")}
    assert documented == in_url_map


def test_every_api_view_is_documented_and_public_matches_the_token_check(app):
    from editorial.api.openapi import api_spec

    for rule in _api_rules(app):
        view = app.view_functions[rule.endpoint]
        doc = api_spec.get_function_metadata(view)
        assert doc is not None, f"{rule.endpoint} has no @documented(...)"
        assert inspect.getdoc(view), f"{rule.endpoint} has no docstring (its summary)"
        assert (doc.security == {}) == (rule.endpoint in PUBLIC_ENDPOINTS), rule.endpoint


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def test_the_document_is_self_consistent(document):
    schemas = document["components"]["schemas"]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs <= set(schemas), refs - set(schemas)
    assert document["components"]["securitySchemes"]["bearer"] == {**document["components"]["securitySchemes"]["bearer"],
                                                                     "type": "http", "scheme": "bearer"}
    operation_ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([^}]+)}", path)), (method, path)
            public = operation.get("security") == []
            assert ("401" in operation["responses"]) != public, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)
            if declared:
                assert "404" in operation["responses"], (method, path)
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert len(operation_ids) == len(set(operation_ids))


def test_list_operations_document_paging_and_filters(document):
    def query(path):
        return {p["name"]: p for p in document["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}

    for path in ("/api/v1/articles", "/api/v1/users", "/api/v1/citations", "/api/v1/audit"):
        params = query(path)
        assert params["per_page"]["schema"]["maximum"] == 100
        assert params["page"]["schema"]["minimum"] == 1
    assert {"state", "q", "assigned_to"} <= set(query("/api/v1/articles"))
    assert query("/api/v1/articles")["state"]["schema"]["anyOf"][0]["enum"][0] == "draft"
    assert "role" in query("/api/v1/users")
    assert {"article_id", "actor_id", "action", "since", "until"} <= set(query("/api/v1/audit"))
    assert query("/api/v1/articles/{article_id}/as-of")["at"]["required"] is True
    assert {"from", "to"} <= set(query("/api/v1/articles/{article_id}/diff"))


def test_request_bodies_come_from_the_models_that_validate_them(document):
    from editorial.articles.api import TransitionRequest

    operation = document["paths"]["/api/v1/articles/{article_id}/transitions"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TransitionRequest"}
    schema = document["components"]["schemas"]["TransitionRequest"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(TransitionRequest.model_fields)
    assert "publish" in schema["properties"]["action"]["enum"]


# --- Real answers match the documented shapes ----------------------------------------------

def test_real_responses_validate_against_the_response_models(newsroom, client):
    n = newsroom
    published = n.published()
    articles_schemas.ArticleOut.model_validate(published)
    article_id = published["id"]
    editor, auditor = n.editor, n.auditor

    accounts_schemas.MeOut.model_validate(n.call("GET", "/me", n.writer).json)
    accounts_schemas.UserPage.model_validate(n.call("GET", "/users?role=reviewer", editor).json)
    articles_schemas.ArticlePage.model_validate(n.call("GET", "/articles?per_page=5", editor).json)
    articles_schemas.ArticleOut.model_validate(n.call("GET", f"/articles/{article_id}", editor).json)

    edited = n.call("PATCH", f"/articles/{article_id}", editor,
                    {"base_version": published["version"], "body": "New body [@tom2019].", "note": "Update"})
    assert edited.status_code == 200, edited.json
    articles_schemas.ArticleOut.model_validate(edited.json)
    revisions = n.call("GET", f"/articles/{article_id}/revisions", editor).json
    articles_schemas.RevisionList.model_validate(revisions)
    articles_schemas.RevisionOut.model_validate(n.call("GET", f"/articles/{article_id}/revisions/2", editor).json)
    diff = n.call("GET", f"/articles/{article_id}/diff?from=1&to={len(revisions['items'])}", editor).json
    assert articles_schemas.DiffOut.model_validate(diff).from_ == 1
    as_of = n.call("GET", f"/articles/{article_id}/as-of?at=2999-01-01T00:00:00Z", auditor)
    assert as_of.status_code == 200, as_of.json
    articles_schemas.AsOfOut.model_validate(as_of.json)

    for reviewer in articles_schemas.ArticleOut.model_validate(n.article(article_id)).reviewers:
        assert reviewer.status in ("approved", "pending")

    created = n.call("POST", "/citations", n.writer, {"title": "A trial", "authors": [{"family": "Doe", "given": "J"}],
                                                      "year": 2020, "doi": "10.1000/xyz", "container_title": "J Test"})
    assert created.status_code == 201, created.json
    citations_schemas.CitationCreatedOut.model_validate(created.json)
    citations_schemas.CitationOut.model_validate(n.call("GET", f"/citations/{created.json['id']}", n.writer).json)
    citations_schemas.CitationPage.model_validate(n.call("GET", "/citations?q=trial", n.writer).json)
    report = n.call("POST", "/citations/import", n.writer, {"format": "ris", "text": "TY  - JOUR\nTI  - Imported\nAU  - Roe, R\nJO  - J Test\nPY  - 2021\nER  - \n\nTY  - JOUR\nER  - \n"})
    assert report.status_code in (200, 201), report.json
    citations_schemas.ImportReportOut.model_validate(report.json)

    audit_schemas.AuditPage.model_validate(n.call("GET", f"/audit?article_id={article_id}", auditor).json)
    audit_schemas.VerifyOut.model_validate(n.call("GET", "/audit/verify", auditor).json)

    public = client.get(f"/api/v1/published/{published['slug']}")
    assert public.status_code == 200
    page = public_schemas.PublishedPageOut.model_validate(public.json)
    assert page.reviewed_by

    draft = n.create(title="Another draft")
    assigned = n.assign(draft["id"], n.reviewer, due_date="2030-01-31")
    assert assigned.status_code == 201
    assert articles_schemas.ArticleOut.model_validate(assigned.json).reviewers[0].due_date.isoformat() == "2030-01-31"


@pytest.mark.parametrize("method,path,user,body,status", [
    ("GET", "/me", None, None, 401),
    ("GET", "/articles/999999", "editor", None, 404),
    ("GET", "/articles?per_page=101", "editor", None, 422),
    ("GET", "/audit", "writer", None, 403),
    ("POST", "/articles", "writer", {"title": 1, "body": "x"}, 422),
])
def test_errors_validate_against_the_error_envelope(newsroom, client, method, path, user, body, status):
    if user is None:
        response = client.open(f"/api/v1{path}", method=method)
    else:
        response = newsroom.call(method, path, getattr(newsroom, user), body)
    assert response.status_code == status
    error = api_schemas.ErrorOut.model_validate(response.json).error
    assert (error.fields is not None) == (status == 422)


def test_stale_version_is_a_409_in_the_envelope(newsroom):
    article = newsroom.create()
    response = newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {"base_version": 99, "title": "T"})
    assert response.status_code == 409
    assert api_schemas.ErrorOut.model_validate(response.json).error.code == "stale_version"


# --- Bodies and arguments that must never be a 500 -----------------------------------------

def _post(newsroom, path, data, content_type="application/json"):
    return newsroom.client.open(f"/api/v1{path}", method="POST", data=data, content_type=content_type,
                                headers=newsroom.headers[newsroom.writer.id])


@pytest.mark.parametrize("raw,status", [
    (b"{not json", 400),
    (b"\xff\xfe\x00garbage", 400),
    (b'{"title": "a", "body": ' + b"1" * 5000 + b"}", 400),  # an integer too long to convert
    (b"[]", 422),
    (b'"a string"', 422),
    (b"42", 422),
    (b"null", 422),
    (b"[" * 100_000 + b"]" * 100_000, 422),  # deep enough to exhaust the parser's recursion
    (b'{"title": ' + b"[" * 50 + b"]" * 50 + b', "body": "x"}', 422),
    (b'{"title": "nul \\u0000 here", "body": "x"}', 422),
    (b'{"title": "lone \\ud800 surrogate", "body": "x"}', 422),
    (b'{"title": "t", "body": "b", "surprise": true}', 422),
    (b'{"title": "t", "body": "b", "\\u0000": true}', 422),
])
def test_bad_bodies_are_4xx_in_the_envelope(newsroom, raw, status):
    response = _post(newsroom, "/articles", raw)
    assert response.status_code == status, response.json
    api_schemas.ErrorOut.model_validate(response.json)


def test_an_oversized_body_is_413_in_the_envelope(newsroom, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    body = json.dumps({"title": "Too big", "body": "x" * limit}).encode()
    response = _post(newsroom, "/articles", body)
    assert response.status_code == 413
    assert api_schemas.ErrorOut.model_validate(response.json).error.code == "too_large"


def test_unknown_actions_and_wrong_types_are_422(newsroom):
    article = newsroom.create()
    for body in ({"action": "fly"}, {"action": 3}, {"action": None}, {"action": ["submit"]}, {}):
        response = newsroom.call("POST", f"/articles/{article['id']}/transitions", newsroom.writer, body)
        assert response.status_code == 422, (body, response.json)
        assert "action" in api_schemas.ErrorOut.model_validate(response.json).error.fields


@pytest.mark.parametrize("path,status", [
    ("/articles?page=%C2%B2", 422),  # '²' is a digit to str.isdigit(), not to int()
    ("/articles?page=99999999999999999999999", 422),
    ("/articles?q=a%00b", 422),
    ("/audit?article_id=%C2%B2", 422),
    ("/audit?actor_id=99999999999999999999999", 422),
    ("/audit?action=a%00", 422),
    ("/articles/1/diff?from=%C2%B2&to=1", 404),  # article 1 may not exist: 404 or 422, never 500
    ("/articles/99999999999999999999999", 404),
    ("/articles/99999999999999999999999/revisions/99999999999999999999", 404),
    ("/citations/99999999999999999999999", 404),
])
def test_odd_arguments_are_4xx_not_500(newsroom, path, status):
    response = newsroom.call("GET", path, newsroom.auditor if path.startswith("/audit") else newsroom.editor)
    assert response.status_code in (status, 404, 422), response.json
    api_schemas.ErrorOut.model_validate(response.json)


def test_a_nul_in_a_public_slug_is_404(client):
    response = client.get("/api/v1/published/a%00b")
    assert response.status_code == 404
    api_schemas.ErrorOut.model_validate(response.json)


def test_a_wrong_method_is_405_with_allow(newsroom):
    response = newsroom.call("PUT", "/me", newsroom.writer)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert api_schemas.ErrorOut.model_validate(response.json).error.code == "method_not_allowed"


def test_approve_with_a_wrong_password_is_documented_403(newsroom, document):
    article = newsroom.ready_for_review()
    response = newsroom.sign(article["id"], newsroom.reviewer, password=TEST_PASSWORD + "x")
    assert response.status_code == 403
    assert api_schemas.ErrorOut.model_validate(response.json).error.code == "reauthentication_failed"
    assert "403" in document["paths"]["/api/v1/articles/{article_id}/transitions"]["post"]["responses"]


def test_unstorable_text_is_422_naming_the_field(newsroom):
    response = _post(newsroom, "/citations", b'{"title": "T", "authors": [{"family": "D\\ud800"}]}')
    assert response.status_code == 422
    assert "authors.0.family" in response.json["error"]["fields"]
    response = _post(newsroom, "/articles", b'{"title": "T\\u0000", "body": "x"}')
    assert response.status_code == 422
    assert "title" in response.json["error"]["fields"]


# --- Query strings: parsed by the library from the models, as leniently as a form -------------

@pytest.mark.parametrize("path,status", [
    ("/articles?state=&q=&assigned_to=", 200),  # an empty value is absent
    ("/articles?state=draft&state=nonsense", 200),  # a repeated parameter counts by its first value
    ("/articles?surprise=1", 200),  # unknown parameters are ignored
    ("/articles?state=nonsense", 422),
    ("/articles?page=1_0", 422),  # whole numbers are ASCII digits only, as on the pages
    ("/articles?page=1.0", 422),
    ("/articles?per_page=0", 422),
    ("/articles/{id}/diff?from=1", 422),  # `to` is required
    ("/articles/{id}/diff?from=1&to=1", 200),
    ("/citations/export?format=pdf", 422),
    ("/citations/export?format=", 200),  # the default, csl-json
    ("/users?role=nobody", 422),
])
def test_query_strings_are_read_from_their_models(newsroom, path, status):
    article = newsroom.create()
    response = newsroom.call("GET", path.replace("{id}", str(article["id"])), newsroom.editor)
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 422:
        error = api_schemas.ErrorOut.model_validate(response.json).error
        assert error.code == "invalid" and error.fields


def test_query_errors_name_their_parameter(newsroom):
    response = newsroom.call("GET", "/audit?since=tomorrow-ish&actor_id=%C2%B2", newsroom.auditor)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"since", "actor_id"}
    assert newsroom.call("GET", "/audit?since=2026-01-31&until=2999-01-01T00:00:00Z", newsroom.auditor).status_code == 200


@pytest.mark.parametrize("path", ["/audit?since=tomorrow-ish", "/users?role=nobody", "/articles/{id}/as-of"])
def test_a_caller_whose_role_may_not_ask_gets_403_before_any_validation(newsroom, path):
    article = newsroom.create()
    response = newsroom.call("GET", path.replace("{id}", str(article["id"])), newsroom.writer)
    assert response.status_code == 403
    assert api_schemas.ErrorOut.model_validate(response.json).error.code == "forbidden"


def test_a_json_body_is_read_whatever_its_content_type(newsroom):
    response = _post(newsroom, "/articles", json.dumps({"title": "Plain", "body": "Text"}), content_type="text/plain")
    assert response.status_code == 201, response.json
    assert response.json["title"] == "Plain"
