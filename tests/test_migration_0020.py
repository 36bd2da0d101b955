"""Migration 0020 (articles.state and assignments.decision checked against their enums) upgrades a
database holding data and downgrades it, on SQLite and PostgreSQL, keeping every row and the live
pointer's guard."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from editorial.core.extensions import db

ROWS = {
    "articles": "SELECT id, state, live_revision_id FROM articles ORDER BY id",
    "assignments": "SELECT id, decision, decided_revision FROM assignments ORDER BY id",
    "revisions": "SELECT id, content_hash FROM revisions ORDER BY id",
    "audit_events": "SELECT id, hash FROM audit_events ORDER BY id",
}


def _rows() -> dict:
    found = {name: [tuple(row) for row in db.session.execute(text(sql))] for name, sql in ROWS.items()}
    db.session.rollback()
    return found


def _refused(statement: str, params=None) -> bool:
    try:
        db.session.execute(text(statement), params or {})
    except DBAPIError:
        return True
    finally:
        db.session.rollback()
    return False


def _moving_the_live_pointer_is_refused() -> bool:
    """The guard (editorial/audit/history_guard.py) refuses a live revision no publication names."""
    article_id, revision_id = db.session.execute(text(
        "SELECT r.article_id, r.id FROM revisions r JOIN articles a ON a.id = r.article_id "
        "WHERE a.live_revision_id IS NULL OR a.live_revision_id <> r.id ORDER BY r.id LIMIT 1")).one()
    return _refused("UPDATE articles SET live_revision_id = :r WHERE id = :a", {"r": revision_id, "a": article_id})


def test_migration_0020_keeps_the_data_refuses_unknown_values_and_downgrades(isolated_app):
    app = isolated_app
    directory = app.extensions["migrate"].directory
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])  # by today's code, on today's schema
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        downgrade(directory=directory, revision="0019")
    with app.app_context():
        db.session.execute(text("UPDATE assignments SET decision = 'changes_requested' WHERE id = (SELECT MAX(id) FROM assignments)"))
        db.session.commit()
        before = _rows()
        assert {row[1] for row in before["assignments"]} >= {"approved", "changes_requested"}
        assert not _refused("UPDATE articles SET state = 'pending' WHERE id = :id", {"id": before["articles"][0][0]})

    with app.app_context():
        upgrade(directory=directory, revision="0020")
    with app.app_context():
        assert _rows() == before
        assert _refused("UPDATE articles SET state = 'pending' WHERE id = :id", {"id": before["articles"][0][0]})
        assert _refused("UPDATE assignments SET decision = 'signed' WHERE id = :id", {"id": before["assignments"][0][0]})
        assert _moving_the_live_pointer_is_refused()
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1  # enforcement is back on
            db.session.rollback()

    with app.app_context():
        downgrade(directory=directory, revision="0019")
    with app.app_context():
        assert _rows() == before
        assert not _refused("UPDATE assignments SET decision = 'signed' WHERE id = :id", {"id": before["assignments"][0][0]})
        assert _moving_the_live_pointer_is_refused()
        upgrade(directory=directory)


@pytest.mark.parametrize("table, column", [("articles", "state"), ("assignments", "decision")])
def test_migration_0020_refuses_a_database_holding_an_unknown_value(isolated_app, table, column):
    """A value outside the enum (written behind the app's back) stops the upgrade, changing nothing."""
    app = isolated_app
    directory = app.extensions["migrate"].directory
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        downgrade(directory=directory, revision="0019")
    with app.app_context():
        db.session.execute(text(f"UPDATE {table} SET {column} = 'bogus' WHERE id = (SELECT MIN(id) FROM {table})"))
        db.session.commit()
        before = _rows()
    with app.app_context(), pytest.raises(DBAPIError):
        upgrade(directory=directory, revision="0020")
    with app.app_context():
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0019"
        assert _rows() == before
        db.session.execute(text(f"UPDATE {table} SET {column} = NULL WHERE {column} = 'bogus'")
                           if column == "decision" else
                           text(f"UPDATE {table} SET {column} = 'draft' WHERE {column} = 'bogus'"))
        db.session.commit()
        upgrade(directory=directory)
