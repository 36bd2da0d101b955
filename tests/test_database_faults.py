"""When the database is down, slow or behind: a 503 that says so (a page, or the API's envelope) with
Retry-After, never a generic 500 nor a worker held for the whole gunicorn timeout; and the
load balancer's /healthz (the process) and /readyz (the database and its migrations)."""
import sqlite3
import time

import pytest
from sqlalchemy import text

from config import TestConfig
from editorial import create_app
from editorial.core.extensions import db
from editorial.accounts import service as users
from tests.conftest import TEST_PASSWORD

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/nothing_listens_here",  # a closed port
    "sqlite": "sqlite:////nonexistent-directory/vetted.sqlite",
}


def app_on(url, **settings):
    return create_app(type("FaultConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings}))


@pytest.fixture(params=sorted(UNREACHABLE))
def unreachable_app(request):
    app = app_on(UNREACHABLE[request.param], DB_CONNECT_TIMEOUT_SECONDS=2)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_pages_answer_503_with_a_clear_page_and_retry_after_when_the_database_is_unreachable(unreachable_app):
    client = unreachable_app.test_client()
    started = time.monotonic()
    for path in ["/health-topics", "/sign-in"]:
        response = client.get(path) if path != "/sign-in" else client.post(path, data={"email": "a@example.org", "password": "x"})
        assert response.status_code == 503, path
        assert response.headers["Retry-After"].isdigit()
        page = response.get_data(as_text=True)
        assert "temporarily unavailable" in page and "try again" in page
        assert "Traceback" not in page and "OperationalError" not in page
    assert time.monotonic() - started < 10  # the connect timeout, not the gunicorn timeout


def test_the_api_answers_503_in_its_error_envelope(unreachable_app):
    response = unreachable_app.test_client().get("/api/v1/articles", headers={"Authorization": "Bearer vt_anything"})
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert response.get_json()["error"]["code"] == "unavailable"
    assert "database" in response.get_json()["error"]["message"]


def test_healthz_is_up_without_the_database_and_readyz_is_not(unreachable_app):
    client = unreachable_app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"].isdigit()
    assert ready.get_json()["status"] == "unavailable" and ready.get_json()["database"] == "unreachable"


def test_readyz_is_ready_with_the_database_at_the_migrations_head(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["migrations"]["current"] == body["migrations"]["head"]
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_not_ready_while_migrations_are_behind(tmp_path):
    from flask_migrate import upgrade

    app = app_on(f"sqlite:///{tmp_path}/behind.sqlite")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="0012")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["migrations"]["current"] == ["0012"]
    assert body["migrations"]["head"] != ["0012"]
    with app.app_context():
        db.engine.dispose()


def test_the_timeouts_reach_the_database_driver():
    from editorial.core.db_faults import engine_options

    pg = engine_options("postgresql+psycopg://h/db", {"DB_CONNECT_TIMEOUT_SECONDS": 3, "DB_STATEMENT_TIMEOUT_SECONDS": 7,
                                                      "DB_BUSY_TIMEOUT_SECONDS": 9})
    assert pg["connect_args"]["connect_timeout"] == 3
    assert "-c statement_timeout=7000" in pg["connect_args"]["options"]
    lite = engine_options("sqlite:///x.sqlite", {"DB_CONNECT_TIMEOUT_SECONDS": 3, "DB_STATEMENT_TIMEOUT_SECONDS": 7,
                                                 "DB_BUSY_TIMEOUT_SECONDS": 9})
    assert lite["connect_args"]["timeout"] == 9
    assert "options" not in lite["connect_args"]


def test_a_statement_past_the_timeout_answers_503(database_url, tmp_path):
    """PostgreSQL cancels a statement past DB_STATEMENT_TIMEOUT_SECONDS (pg_sleep stands for a hung
    query); SQLite gives up waiting for a writer's lock after DB_BUSY_TIMEOUT_SECONDS."""
    if database_url.startswith("postgresql"):
        app = app_on(database_url, DB_STATEMENT_TIMEOUT_SECONDS=1)

        def slow():
            db.session.execute(text("SELECT pg_sleep(5)"))
            return "done"

        app.add_url_rule("/slow", "slow", slow)
        app.add_url_rule("/api/v1/slow", "api_slow", slow)
        client = app.test_client()
        started = time.monotonic()
        page, api = client.get("/slow"), client.get("/api/v1/slow")
        assert time.monotonic() - started < 4
    else:
        path = tmp_path / "busy.sqlite"
        app = app_on(f"sqlite:///{path}", DB_BUSY_TIMEOUT_SECONDS=0.2)
        from flask_migrate import upgrade

        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            users.create_user(None, email="w@example.org", name="W", password=TEST_PASSWORD, roles=["writer"])
            db.session.commit()
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock, and keeps it
        try:
            client = app.test_client()
            page = client.post("/sign-in", data={"email": "w@example.org", "password": TEST_PASSWORD})
            api = client.post("/api/v1/articles", json={"title": "T"}, headers={"Authorization": "Bearer vt_x"})
        finally:
            holder.rollback()
            holder.close()
    assert page.status_code == 503 and "temporarily unavailable" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "unavailable"
    assert page.headers["Retry-After"].isdigit()
    with app.app_context():
        db.engine.dispose()
