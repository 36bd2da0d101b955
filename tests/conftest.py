"""Fixtures: one app and schema per test session; every test runs in a transaction
that is rolled back, so each test leaves the database as it found it.

DATABASE_URL selects the database (PostgreSQL in CI); without it, a temporary SQLite file.
"""
import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from config import TestConfig, _database_url
from editorial import create_app
from editorial.extensions import db
from editorial.models import User
from editorial.services import users as user_service

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TEST_PASSWORD = "correct-horse-battery"


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
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app, with every session of this test joined to one outer transaction."""
    with _app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
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
def login(client):
    """Sign a test client in as a user without going through the form."""

    def do(user: User, the_client=None):
        the_client = the_client or client
        with the_client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
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

        def __enter__(self):
            event.listen(engine, "before_cursor_execute", self._count)
            return self

        def __exit__(self, *exc):
            event.remove(engine, "before_cursor_execute", self._count)

        def _count(self, *args, **kwargs):
            self.count += 1

    return Counter


def shared_path(*parts: str) -> Path:
    """A file under ../shared, skipping the test where a user's machine has none."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path
