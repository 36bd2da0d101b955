"""Never a 500 (issue #17), for what is posted. Two walks, each field tampered with alone, the rest as
it came, the way an attacker edits a request:

- every form the desk's pages show (each GET page, as each role) is posted back with one field at a
  time set to a hostile value: numbers and ids beyond 64 bits, negative and zero ids, times whose
  offset runs off the calendar, NUL characters;
- every API operation's request body, its fields read from the OpenAPI document, gets the same and
  also wrong types (null, lists, objects, huge integers and floats), and whole bodies of the wrong shape.

Each answers 4xx or what it would have answered anyway, never 5xx; each probe is rolled back, so the
next starts from the same data. Both walks run on SQLite and PostgreSQL.
"""
import re
from html.parser import HTMLParser

import pytest

from editorial.core.extensions import db
from tests.conftest import rule_path
from tests.test_authorization_matrix import ANON, JSON, POLICY, _fill, world  # noqa: F401 (world: a fixture)
from tests.test_hostile_requests import HUGE

TEXT_VALUES = [HUGE, "2147483648", "-1", "0", "\x00", "a\x00b", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]
JSON_VALUES = [*TEXT_VALUES, 2**64, -(2**63) - 1, 1e308, None, True, [], {}, [HUGE], [2**64], {"id": HUGE}]
ROLES = ["writer", "editor", "reviewer", "auditor", "admin"]


class _Forms(HTMLParser):
    """The POST forms of a page: (action, [(name, value)]) with the values the page filled in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = []
            self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None or not a.get("name") and tag != "option":
            return
        elif tag == "input" and a.get("type") == "radio":  # the checked one, else the first
            if "checked" in a or not any(n == a["name"] for n, _ in self._fields):
                self._fields[:] = [(n, v) for n, v in self._fields if n != a["name"]] + [(a["name"], a.get("value") or "")]
        elif tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            if a.get("type") not in ("submit", "file"):
                self._fields.append((a["name"], a.get("value") or ""))
        elif tag in ("input", "button") and a.get("type") == "submit" and a.get("name"):
            self._fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields.append((a["name"], ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and (not any(n == self._select for n, _ in self._fields) or "selected" in a):
            self._fields[:] = [(n, v) for n, v in self._fields if n != self._select] + [(self._select, a.get("value") or "")]

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            name, value = self._fields[-1]
            self._fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._fields = None


def _paths(app, values, article_ids):
    """Every desk page, for each article given where the address names one."""
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.endpoint != "static" and not rule.rule.startswith("/api/"):
            for article_id in article_ids if "article_id" in rule.arguments else [None]:
                yield rule_path(rule, lambda name, article_id=article_id: article_id if name == "article_id" else values[name])


@pytest.fixture
def article_ids(world, newsroom):
    """The matrix's article in review, a draft with a reference, and a published article: each shows other forms."""
    draft = newsroom.create(title="A draft with a reference")
    newsroom.attach(draft["id"])
    return [world["values"]["article_id"], draft["id"], newsroom.published()["id"]]


def _forms(app, world, article_ids) -> dict[tuple[str, str, tuple[str, ...]], list[tuple[str, str]]]:
    """Every distinct POST form the desk shows, by (role, action, field names)."""
    found = {}
    for role in [ANON, *ROLES]:
        client = app.test_client()
        if role != ANON:
            world["login"](world["users"][role], client)
        for path in _paths(app, world["values"], article_ids):
            response = client.get(path)
            page = response.get_data()
            response.close()  # a streamed export keeps its request open until closed
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            parser = _Forms()
            parser.feed(page.decode())
            for action, fields in parser.forms:
                action = action or path
                if action.startswith("/") and not action.startswith("/sign-out"):
                    # a form every role sees (the account's) is walked once, as the first role that saw it
                    found.setdefault((action, tuple(sorted({n for n, _ in fields}))), (role, fields))
    return {(role, action, names): fields for (action, names), (role, fields) in found.items()}


def _probe(app, world, connection, role, method, path, **send):
    client = app.test_client()
    api = path.startswith("/api/")
    if role != ANON and not api:
        world["login"](world["users"][role], client)
    headers = {**(world["headers"][role] if role != ANON and api else {}), **send.pop("headers", {})}
    savepoint = connection.begin_nested()
    try:
        response = client.open(path, method=method, headers=headers, **send)
        response.get_data()
        response.close()
    finally:
        savepoint.rollback()
    return response.status_code


def test_no_field_of_any_form_gets_a_5xx(app, world, article_ids):
    with app.app_context():
        connection = db.session.connection()
    forms = _forms(app, world, article_ids)
    actions = {re.sub(r"/\d+", "/N", action) for _, action, _ in forms}
    for expected in ("/articles/N/edit", "/articles/N/schedules", "/articles/N/transition", "/articles/N/reviewers",
                     "/admin/users/N", "/citations/new", "/account/tokens", "/articles/N/pemat"):
        assert expected in actions, sorted(actions)  # the walk found the desk's forms
    problems, probes = [], 0
    for (role, action, names), fields in sorted(forms.items()):
        for name in names:
            for value in TEXT_VALUES:
                data = [(n, value if n == name else v) for n, v in fields]
                body = {}
                for n, v in data:
                    body.setdefault(n, []).append(v)
                status = _probe(app, world, connection, role, "POST", action, data=body)
                probes += 1
                if status >= 500:
                    problems.append(f"POST {action} as {role}, {name}={value!r}: {status}")
    assert not problems, "\n".join(problems)


def _operations(app):
    """(method, path template, body field names) of every API operation that writes."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = document.get("components", {}).get("schemas", {})

    def resolve(schema):
        while isinstance(schema, dict) and "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema or {}

    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if method.upper() in {"POST", "PATCH", "PUT", "DELETE"}:
                schema = resolve((content or {}).get("schema"))
                yield method.upper(), "/api/v1" + path if not path.startswith("/api/") else path, sorted(schema.get("properties", {}))


def _api_path(app, world, method, template):
    values = world["values"]
    path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(path, method=method)
    return endpoint, path


def test_no_field_of_any_api_body_gets_a_5xx(app, world):
    with app.app_context():
        connection = db.session.connection()
    operations = list(_operations(app))
    assert len(operations) >= 12
    problems = []
    for method, template, fields in operations:
        endpoint, path = _api_path(app, world, method, template)
        base = _fill(JSON.get(endpoint, {}), world["values"])
        allowed = POLICY[endpoint][method]
        for role in [role for role in ("editor", "reviewer", "writer") if role in allowed][:1] or ["writer"]:
            for name in sorted(set(fields) | set(base)):
                for value in JSON_VALUES:
                    status = _probe(app, world, connection, role, method, path, json={**base, name: value})
                    if status >= 500:
                        problems.append(f"{method} {path} as {role}, {name}={value!r}: {status}")
            for body in ([HUGE], "text", 2**64, None, {**base, **{name: HUGE for name in fields}}):
                status = _probe(app, world, connection, role, method, path, json=body)
                if status >= 500:
                    problems.append(f"{method} {path} as {role}, body {body!r}: {status}")
            status = _probe(app, world, connection, role, method, path, headers={"Content-Type": "application/json"},
                            data=b'{"title": "\\u0000", "base_version": 1e999')
            if status >= 500:
                problems.append(f"{method} {path} as {role}, malformed JSON: {status}")
    assert not problems, "\n".join(problems)
