"""Fixtures: one app and schema per test session; every test runs in a transaction
that is rolled back, so each test leaves the database as it found it.

DATABASE_URL selects the database (PostgreSQL in CI); without it, a temporary SQLite file.
"""
import os
import re
from pathlib import Path

import pytest
from flask import Flask, has_request_context, request
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from config import TestConfig, _database_url
from editorial import create_app
from editorial.core.extensions import SAFE_METHODS, db, out_of_band_write_in_progress
from editorial.accounts.models import User
from editorial.accounts import service as user_service

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TEST_PASSWORD = "correct-horse-battery"


WRITES = {"INSERT", "UPDATE", "DELETE"}


@event.listens_for(Engine, "before_cursor_execute")
def _safe_requests_never_write(_conn, _cursor, statement, *_args):
    """GET and HEAD requests run in read-only transactions on SQLite (extensions.py), so a view
    that wrote during one would fail under load: fail the test that finds such a view."""
    if out_of_band_write_in_progress():
        return  # a safe request recording what went wrong (extensions.writing_out_of_band)
    if has_request_context() and request.method in SAFE_METHODS and statement.lstrip()[:6].upper() in WRITES:
        raise AssertionError(f"{request.method} {request.path} wrote to the database: {statement[:80]}")


_RESPONSES_TO_CLOSE = []


class _ClosingClient(FlaskClient):
    """The test client, keeping each response to close at the test's end, as a WSGI server closes what it
    served and read: a file a view sends (static files, the favicon) and the temporary file werkzeug's
    request builder spools a multipart body over 500 KB to are otherwise left open (ResourceWarnings)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        _RESPONSES_TO_CLOSE.append(response)
        return response


Flask.test_client_class = _ClosingClient  # every app the suite creates, the fixtures' and the tests' own


@pytest.fixture(autouse=True)
def _close_responses():
    yield
    while _RESPONSES_TO_CLOSE:
        response = _RESPONSES_TO_CLOSE.pop()
        response.close()
        response.request.environ["wsgi.input"].close()


# On PostgreSQL every test runs as this role, the one production's app runs as (editorial/audit/db_roles.py):
# it owns nothing and may not rewrite history, so the suite proves the app works within those grants.
APP_ROLE = "vetted_app_test"


def act_as_database_owner() -> None:
    """From here to the end of the test, act with the owner's rights (PostgreSQL), as an attacker
    with the database password could: for tests that forge history behind the app's back."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("RESET ROLE"))


def allow_updates_behind_the_apps_back(table: str) -> None:
    """Drop the trigger that refuses UPDATE on an append-only table (editorial/audit/history_guard.py), in
    the current transaction, as someone with database rights could: for tests that forge history."""
    act_as_database_owner()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
    else:
        db.session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))


def rewrite_live_revision(article_id: int, body: str, *, signatures_too: bool = False) -> int:
    """Rewrite an article's newest revision's body and recompute its content hash (and, with
    signatures_too, its signatures' hashes), as someone past the triggers could. Returns its number."""
    from sqlalchemy import select as select_

    from editorial.articles.models import Revision
    from editorial.articles.history import citation_ids_of, content_hash

    allow_updates_behind_the_apps_back("revisions")
    revision = db.session.scalars(select_(Revision).where(Revision.article_id == article_id)
                                  .order_by(Revision.number.desc())).first()
    forged = content_hash(revision.title, revision.summary, body, citation_ids_of(revision))
    db.session.execute(text("UPDATE revisions SET body = :b, content_hash = :h WHERE id = :r"),
                       {"b": body, "h": forged, "r": revision.id})
    if signatures_too:
        allow_updates_behind_the_apps_back("signatures")
        db.session.execute(text("UPDATE signatures SET content_hash = :h WHERE revision_id = :r"),
                           {"h": forged, "r": revision.id})
    number = revision.number
    db.session.commit()
    return number


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url()
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def _reset_database(url: str) -> None:
    """Start each test session from an empty schema, then migrate it."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    os.environ["EDITORIAL_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    _reset_database(database_url)
    config = type("SessionTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        if db.engine.dialect.name == "postgresql":
            from editorial.audit.db_roles import role_statements

            for statement in role_statements(APP_ROLE):
                db.session.execute(text(statement))
            db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app, tmp_path):
    """The app, with every session of this test joined to one outer transaction, and its own folder
    for the audit checkpoints kept outside the database (they describe this test's events only)."""
    _app.config["AUDIT_CHECKPOINT_DIR"] = str(tmp_path / "audit-checkpoints")
    with _app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
    original = db.session
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", class_=Session)
    db.session = scoped_session(factory, scopefunc=_app_ctx_id)
    try:
        yield _app
    finally:
        with _app.app_context():
            db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user through the service and commit; returns its id-bearing detached copy."""
    counter = iter(range(1, 10_000))

    def make(*roles: str, email: str | None = None, name: str | None = None, password: str = TEST_PASSWORD, **profile) -> User:
        n = next(counter)
        with app.app_context():
            user = user_service.create_user(
                None, email=email or f"{roles[0] if roles else 'user'}{n}@example.org",
                name=name or f"Test {roles[0].title() if roles else 'User'} {n}", password=password,
                roles=list(roles) or ["writer"], **profile,
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


@pytest.fixture
def login(client, app):
    """Sign a test client in as a user without going through the form (a server-side session, as
    auth_loader.sign_in starts)."""
    from editorial.accounts.sign_in import sign_in_client

    def do(user: User, the_client=None):
        the_client = the_client or client
        sign_in_client(the_client, user.id, user_agent="test client")
        return the_client

    return do


@pytest.fixture
def token_for(app):
    def issue(user: User) -> dict:
        with app.app_context():
            _, raw = user_service.issue_token(None, db.session.get(User, user.id))
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return issue


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside the `with` block."""

    with app.app_context():
        engine = db.engine

    class Counter:
        def __init__(self):
            self.count = 0
            self.statements: list[str] = []  # to print when a pinned count fails

        def __enter__(self):
            event.listen(engine, "before_cursor_execute", self._count)
            return self

        def __exit__(self, *exc):
            event.remove(engine, "before_cursor_execute", self._count)

        def _count(self, _conn, _cursor, statement, *args, **kwargs):
            self.count += 1
            self.statements.append(statement)

    return Counter


def press_confirm(client, response):
    """Follow a consequential action to its confirmation page and press its button, as a person
    would: the page's form is sent with its hidden fields (the `confirmed` fingerprint among them)."""
    import re
    from html import unescape

    while response.status_code in (302, 303):
        response = client.get(response.headers["Location"])
    form = re.search(r'<form method="post" action="([^"]+)" id="confirm-form">(.*?)</form>', response.get_data(as_text=True), re.S)
    assert form, "no confirmation page"
    fields = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))}
    return client.post(unescape(form.group(1)), data=fields)


def rule_path(rule, value_of) -> str:
    """A route's URL with each of its arguments ("<int:article_id>", "<token>") replaced by value_of(name)."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", str(value_of(name)), path)
    return path


def shared_path(*parts: str) -> Path:
    """A file under ../shared, skipping the test where a user's machine has none."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


@pytest.fixture
def make_citation(app):
    """A citation in the library (inserted directly; the citation services have their own tests)."""
    counter = iter(range(1, 10_000))

    def make(key: str | None = None, **fields):
        from editorial.citations.models import Citation

        n = next(counter)
        with app.app_context():
            citation = Citation(
                key=key or f"source{n}", title=fields.pop("title", f"A study {n}"), fingerprint=f"a study {n}",
                year=fields.pop("year", 2024),
                formatted=f"Doe J. A study {n}. J Test. 2024.", **fields,
            )
            db.session.add(citation)
            db.session.commit()
            db.session.refresh(citation)
            db.session.expunge(citation)
        return citation

    return make


class Newsroom:
    """A writer, an editor, two physician reviewers and an auditor, each with an API token."""

    def __init__(self, client, make_user, token_for, make_citation):
        self.client = client
        self.writer = make_user("writer", name="Wanda Writer")
        self.other_writer = make_user("writer", name="Otto Otherwriter")
        self.editor = make_user("editor", name="Eddie Editor")
        self.reviewer = make_user("reviewer", name="Dr. Rita Review", credentials="MD", specialty="Radiation oncology",
                                  affiliation="City Hospital", disclosure="None")
        self.reviewer2 = make_user("reviewer", name="Dr. Sam Second", credentials="MD, PhD", specialty="Breast surgery",
                                   affiliation="County Clinic", disclosure="None")
        self.auditor = make_user("auditor", name="Audrey Auditor")
        self.headers = {u.id: token_for(u) for u in self.people}
        self.citation = make_citation(key="tom2019")
        self.make_citation = make_citation

    @property
    def people(self):
        return [self.writer, self.other_writer, self.editor, self.reviewer, self.reviewer2, self.auditor]

    def call(self, method: str, path: str, user, json=None, data=None):
        return self.client.open(f"/api/v1{path}", method=method, headers=self.headers[user.id], json=json, data=data)

    def create(self, title="Intraoperative radiation therapy", body="Body text [@tom2019].", **extra):
        response = self.call("POST", "/articles", self.writer, {"title": title, "body": body, **extra})
        assert response.status_code == 201, response.json
        return response.json

    def article(self, article_id, user=None):
        return self.call("GET", f"/articles/{article_id}", user or self.editor).json

    def attach(self, article_id, citation_id=None, user=None):
        response = self.call("POST", f"/articles/{article_id}/citations", user or self.writer,
                             {"citation_id": citation_id or self.citation.id})
        assert response.status_code == 201, response.json
        return response.json

    def assign(self, article_id, reviewer, **extra):
        return self.call("POST", f"/articles/{article_id}/reviewers", self.editor, {"user_id": reviewer.id, **extra})

    def act(self, article_id, user, action, **extra):
        return self.call("POST", f"/articles/{article_id}/transitions", user, {"action": action, **extra})

    def sign(self, article_id, reviewer, password=TEST_PASSWORD, **extra):
        """Approve the current revision as its reader would: naming its number and content hash,
        with the password and, unless the test says otherwise, a declaration of no conflict."""
        seen = self.call("GET", f"/articles/{article_id}", reviewer)
        current = (seen.json if seen.status_code == 200 else self.article(article_id))["current_revision"]
        body = {"revision": current["number"], "content_hash": current["content_hash"], "conflict_of_interest": "none"}
        body.update(extra)
        return self.act(article_id, reviewer, "approve", password=password,
                        **{k: v for k, v in body.items() if v is not None})

    def ready_for_review(self, reviewers=None):
        """An article with a citation and assigned reviewers, submitted."""
        article = self.create()
        self.attach(article["id"])
        for reviewer in reviewers or [self.reviewer, self.reviewer2]:
            assert self.assign(article["id"], reviewer).status_code == 201
        response = self.act(article["id"], self.writer, "submit")
        assert response.status_code == 200, response.json
        return response.json

    def approved(self):
        article = self.ready_for_review()
        for reviewer in (self.reviewer, self.reviewer2):
            response = self.sign(article["id"], reviewer)
            assert response.status_code == 200, response.json
        assert response.json["state"] == "approved"
        return response.json

    def published(self):
        article = self.approved()
        response = self.act(article["id"], self.editor, "publish")
        assert response.status_code == 200, response.json
        return response.json


@pytest.fixture
def newsroom(client, make_user, token_for, make_citation):
    return Newsroom(client, make_user, token_for, make_citation)


@pytest.fixture
def isolated_app(database_url, tmp_path):
    """An app on a database of its own, for tests that need real commits from several threads
    or processes (the shared test database is held inside each test's transaction)."""
    import uuid

    from sqlalchemy.engine import make_url

    if database_url.startswith("postgresql"):
        name = f"vetted_iso_{uuid.uuid4().hex[:12]}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    else:
        admin, name, url = None, None, f"sqlite:///{tmp_path}/isolated.sqlite"
    config = type("IsolatedConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                    "AUDIT_CHECKPOINT_DIR": str(tmp_path / "audit-checkpoints")})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
