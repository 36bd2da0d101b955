"""Never a 500 (issue #17): every GET route, signed in with each desk's role and signed out, with ids
beyond what the database holds, page and keyset numbers beyond 64 bits, times whose offset runs off
the calendar, and NUL characters in search and filter parameters. Each answers 4xx (or the page it
would have answered anyway), never 5xx.
"""
import pytest

from editorial.api.schemas import MAX_ID
from tests.conftest import rule_path

HUGE = "99999999999999999999"  # beyond 64 bits
HOSTILE_QUERIES = [
    f"page={HUGE}", "page=2147483648", "page=2147483647", "after=2147483647", f"after={HUGE}", "after=-1", f"per_page={HUGE}",
    "since=9999-12-31T23:59:59-01:00", "until=0001-01-01T00:00:00%2B01:00", "at=9999-12-31T23:59:59-01:00",
    "at=0001-01-01T00:00:00%2B01:00", f"from={HUGE}&to={HUGE}", f"article_id={HUGE}", f"actor_id={HUGE}",
    "q=%00", "cq=%00", "action=%00", "state=%00", "kind=%00", "status=%00", "role=%00", "sort=%00",
]
ROLES = ["anonymous", "editor", "admin", "auditor", "reviewer", "writer"]


@pytest.fixture
def routes(app, newsroom, login, token_for, make_user):
    n = newsroom
    published = n.published()
    admin = make_user("admin")
    users = {"editor": n.editor, "admin": admin, "auditor": n.auditor, "reviewer": n.reviewer, "writer": n.writer}
    headers = {role: token_for(user) for role, user in users.items()}
    values = {"article_id": published["id"], "user_id": n.reviewer.id, "citation_id": n.citation.id, "number": 1,
              "slug": published["slug"], "role": "editor", "filename": "css/app.css"}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        paths.append((rule, rule_path(rule, lambda name: values.get(name, 1))))
    return {"users": users, "headers": headers, "paths": paths, "login": login, "values": values}


def _get(app, routes, role, path):
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        if path.startswith("/api/"):
            headers = routes["headers"][role]
        else:
            routes["login"](routes["users"][role], client)
    response = client.get(path, headers=headers)
    response.get_data()
    return response.status_code


def test_no_route_answers_5xx_to_hostile_query_parameters(app, routes):
    problems = []
    for _, path in routes["paths"]:
        for query in HOSTILE_QUERIES:
            for role in ROLES:
                status = _get(app, routes, role, f"{path}?{query}")
                if status >= 500:
                    problems.append(f"GET {path}?{query} as {role}: {status}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), str(2**63)])
def test_ids_beyond_the_database_are_not_found(app, routes, value):
    problems = []
    for rule, _ in routes["paths"]:
        ints = [name for name, converter in rule._converters.items() if converter.__class__.__name__.lower().find("int") >= 0]
        if not ints:
            continue
        path = rule_path(rule, lambda name: value if name in ints else routes["values"].get(name, 1))
        for role in ("editor", "admin", "auditor"):
            status = _get(app, routes, role, path)
            if status >= 500 or status == 200:
                problems.append(f"GET {path} as {role}: {status}")
    assert not problems, "\n".join(problems)


def test_a_nul_in_the_sign_in_form_is_refused_without_a_5xx(app, client, newsroom):
    response = client.post("/sign-in", data={"email": "writer\x00@example.org", "password": "x"})
    assert 400 <= response.status_code < 500


def test_posted_ids_beyond_the_database_are_refused(app, client, login, newsroom):
    article = newsroom.create()
    login(newsroom.editor)
    response = client.post(f"/articles/{article['id']}/reviewers", data={"user_id": HUGE})
    assert 400 <= response.status_code < 500
