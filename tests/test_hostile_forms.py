"""Hostile input through every form field: never a 500, and whatever is shown back is inert."""
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import SHARED, TEST_PASSWORD
from tests.unit.test_rendering import XSS_CORPUS

HOSTILE = [
    *XSS_CORPUS[:12],
    "\"><svg onload=alert(1)>",
    "'; DROP TABLE articles; --",
    "\u202eevil\u202c right-to-left override",
    "emoji 🩺💊 and combining e\u0301\u0301\u0301",
    "control \x07\x08\x1b characters",
    "x" * 5000,
    "{{ 7 * 7 }} {% if 1 %}jinja{% endif %}",
]


def _naughty(limit: int = 25) -> list[str]:
    path = SHARED / "samples" / "naughty" / "blns.txt"
    if not path.exists():
        return []
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
             if line.strip() and not line.startswith("#")]
    return lines[:: max(1, len(lines) // limit)][:limit]


CORPUS = HOSTILE + _naughty()
BAD_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript):", re.I)


class _PageCheck(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in {"iframe", "object", "embed", "svg", "base", "frame", "applet"}:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not ((values.get("src") or "").startswith("/static/")
                                    or values.get("type") == "application/ld+json"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "formaction"} and value and BAD_SCHEMES.match(
                    re.sub(r"[\x00-\x20]+", "", value)):
                self.problems.append(f"{tag}[{name}]={value[:40]}")

    handle_startendtag = handle_starttag


def assert_inert(response):
    assert response.status_code < 500, response.status_code
    if response.mimetype != "text/html":
        return
    checker = _PageCheck()
    checker.feed(response.get_data(as_text=True))
    assert not checker.problems, checker.problems


FORMS = [
    # (who, url, valid data, fields to poison, page that shows the result)
    ("writer", "/articles/new", {"title": "T", "summary": "S", "topic": "Topic", "body": "B"},
     ["title", "summary", "topic", "body"], None),
    ("writer", "/citations/new", {"type": "article-journal", "title": "T", "authors": "Doe, Jane", "container_title": "J",
                                   "year": "2020", "doi": "", "pmid": "", "url": ""},
     ["title", "authors", "container_title", "doi", "pmid", "url", "volume", "pages"], None),
    ("writer", "/citations/import", {"format": "ris", "text": "TY  - JOUR\nTI  - T\nER  -\n"}, ["text", "format"], None),
    ("admin", "/admin/users/new", {"email": "h@example.org", "name": "H", "password": "a-long-enough-password",
                                   "roles": ["reviewer"]},
     ["email", "name", "password", "credentials", "specialty", "affiliation", "disclosure"], "/admin/users"),
    ("editor", "/topics", {"name": "T", "review_interval_months": "6"}, ["name", "review_interval_months"], "/topics"),
    ("writer", "/sign-in", {"email": "a@example.org", "password": "x"}, ["email", "password"], None),
    ("writer", "/account", {"current_password": TEST_PASSWORD, "new_password": "x", "confirm_password": "x"},
     ["current_password", "new_password"], None),
]


@pytest.mark.parametrize("who, url, valid, fields, shown_at", FORMS, ids=[f[1] for f in FORMS])
def test_hostile_values_in_every_field(app, newsroom, login, make_user, who, url, valid, fields, shown_at):
    people = {"writer": newsroom.writer, "editor": newsroom.editor, "admin": make_user("admin")}
    client = app.test_client()
    login(people[who], client)
    for n, value in enumerate(CORPUS):
        for field in fields:
            data = {**valid, field: value}
            if "email" in data and field != "email" and url.startswith("/admin"):
                data["email"] = f"h{n}-{field}@example.org"
            response = client.post(url, data=data, follow_redirects=True)
            assert_inert(response)
    if shown_at:
        assert_inert(client.get(shown_at))


def test_hostile_values_in_article_actions_and_api(app, newsroom, login):
    n = newsroom
    article = n.ready_for_review(reviewers=[n.reviewer])
    aid = article["id"]
    reviewer = app.test_client()
    login(n.reviewer, reviewer)
    writer = app.test_client()
    login(n.writer, writer)
    for value in CORPUS:
        assert_inert(reviewer.post(f"/articles/{aid}/comments", data={"body": value, "quote": value}))
        assert_inert(reviewer.post(f"/articles/{aid}/respond", data={"accepted": "yes", "conflict_of_interest": value}))
        assert_inert(reviewer.post(f"/articles/{aid}/transition", data={"action": value, "comment": value, "password": value}))
        for path, body in ((f"/articles/{aid}", {"base_version": 3, "body": value, "note": value}),
                           ("/articles", {"title": value, "body": value, "summary": value, "topic": value}),
                           ("/citations", {"title": value, "authors": [{"family": value}], "container_title": value, "year": 2020})):
            response = n.call("PATCH" if path != "/articles" and path != "/citations" else "POST", path, n.writer, body)
            assert response.status_code < 500 and response.is_json
    assert_inert(writer.get(f"/articles/{aid}"))
    assert_inert(reviewer.get(f"/articles/{aid}"))
    assert_inert(writer.get("/articles/"))
    assert_inert(writer.get("/citations/"))


@pytest.mark.parametrize("field", ["title", "container_title"])
def test_a_hostile_citation_is_kept_as_typed_and_shown_escaped_or_refused_under_its_field(app, newsroom, login, field):
    from html import escape as escape_like_the_formatter

    from markupsafe import escape

    from editorial.citations.text import clean_text
    from editorial.core.extensions import db
    from editorial.citations.models import Citation

    client = app.test_client()
    login(newsroom.writer, client)
    valid = dict(FORMS[1][2])
    for n, hostile in enumerate(CORPUS):
        # each title unique, so that no two are one source already in the library
        typed = f"{n}: {hostile}" if field == "title" else hostile
        response = client.post("/citations/new", data={**valid, "title": f"Title {n}", field: typed})
        if response.status_code == 422:  # refused, with the reason under the field
            assert f'id="{field}-error"' in response.get_data(as_text=True), typed
            continue
        assert response.status_code == 302, (response.status_code, typed)
        citation_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        with app.app_context():
            assert getattr(db.session.get(Citation, citation_id), field) == typed.strip()  # as typed
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert_inert(client.get(response.headers["Location"]))
        if field == "title":  # in the formatted reference, on one tidy line
            assert escape_like_the_formatter(clean_text(typed).rstrip(" .")) in page, typed
        else:  # beside it, as typed
            assert str(escape(typed.strip())) in page, typed
