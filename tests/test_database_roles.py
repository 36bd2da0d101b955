"""The app's PostgreSQL role (editorial/audit/db_roles.py) cannot rewrite history, even where a trigger would
not stop an owner: on PostgreSQL every test runs as that role (tests/conftest.py, APP_ROLE), and
here it tries what was done from outside with the owner's or a superuser's rights.
"""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from editorial.core.extensions import db
from tests.conftest import APP_ROLE


@pytest.fixture
def postgres(app):
    with app.app_context():
        if db.session.get_bind().dialect.name != "postgresql":
            pytest.skip("roles are PostgreSQL's; SQLite's file owner can rewrite it (README, Audit trail)")
    return app


ATTEMPTS = [
    "SET session_replication_role = replica",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "ALTER TABLE articles DISABLE TRIGGER articles_live_guard",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "TRUNCATE audit_events",
    "TRUNCATE revisions CASCADE",
    "UPDATE audit_events SET actor_name = 'Someone Else'",
    "DELETE FROM audit_events",
    "UPDATE revisions SET body = 'Take 500 mg'",
    "UPDATE revision_citations SET position = position + 100",
    "DELETE FROM revision_citations",
    "DELETE FROM signatures",
    "DELETE FROM audit_checkpoints",
    "UPDATE articles SET live_revision_id = current_revision_id WHERE current_revision_id IS NOT NULL",
    "CREATE TABLE rogue (id integer)",
    "UPDATE alembic_version SET version_num = '0001'",
]


@pytest.mark.parametrize("statement", ATTEMPTS)
def test_the_app_role_cannot_get_around_the_history_guards(postgres, newsroom, statement):
    newsroom.published()
    newsroom.create()
    with postgres.app_context():
        assert db.session.scalar(text("SELECT current_user")) == APP_ROLE
        with pytest.raises(DBAPIError):
            with db.session.begin_nested():
                db.session.execute(text(statement))
        db.session.rollback()


def test_the_app_role_owns_nothing_and_is_no_superuser(postgres):
    with postgres.app_context():
        owned = db.session.scalar(text(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"))
        flags = db.session.execute(text(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    assert owned == 0 and not any(flags)


def test_the_whole_workflow_runs_as_the_app_role(postgres, newsroom, client):
    article = newsroom.published()
    with postgres.app_context():
        assert db.session.scalar(text("SELECT current_user")) == APP_ROLE
    assert client.get(f"/health/{article['slug']}").status_code == 200


def test_db_roles_prints_its_grants(runner):
    result = runner.invoke(args=["db-roles", "vetted_app", "--print"])
    assert result.exit_code == 0
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in result.output and "NOSUPERUSER" in result.output
    refused = runner.invoke(args=["db-roles", "Robert'); DROP TABLE users;--", "--print"])
    assert refused.exit_code == 1 and "role name" in refused.output


def test_a_temporary_table_cannot_stand_in_for_the_audit_trail(postgres, newsroom):
    """Temporary tables are searched first by default; the live pointer's guard names its tables
    with their schema, so a fake 'newest publish event' in one does not open it."""
    article = newsroom.published()
    edited = newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer,
                           {"base_version": article["version"], "body": "Draft [@tom2019].", "note": "n"}).json
    with postgres.app_context():
        db.session.execute(text("CREATE TEMP TABLE audit_events (id integer, action text, article_id integer, "
                                "revision_number integer)"))
        db.session.execute(text("INSERT INTO audit_events VALUES (999999, 'article.publish', :a, :n)"),
                           {"a": article["id"], "n": edited["version"]})
        with pytest.raises(DBAPIError, match="live_revision_id"):
            with db.session.begin_nested():
                db.session.execute(text("UPDATE articles SET live_revision_id = current_revision_id WHERE id = :a"),
                                   {"a": article["id"]})
        db.session.rollback()
