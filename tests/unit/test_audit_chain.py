"""The audit trail's hash chain, and the database refusing to rewrite it."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from editorial.audit import chain as audit
from editorial.core.extensions import db
from tests.conftest import allow_updates_behind_the_apps_back


def append(n: int):
    for i in range(n):
        audit.record("test.event", actor=None, object_type="test", object_id=i, detail={"i": i, "text": "ünïcode ✓"})


def test_each_event_links_to_the_previous_one(app):
    with app.app_context():
        append(3)
        report = audit.verify_chain()
        assert report.ok and report.checked >= 3
        rows = db.session.execute(text("SELECT prev_hash, hash FROM audit_events ORDER BY id")).all()
        for previous, current in zip(rows, rows[1:]):
            assert current.prev_hash == previous.hash


def test_events_undone_with_their_transaction_never_become_the_head(app):
    """A transaction remembers the head it appended (no second read); a rollback, a savepoint
    rolled back or a closed session must forget it, or the next event would link to a ghost."""
    with app.app_context():
        append(2)
        db.session.commit()
        append(2)
        db.session.rollback()
        append(1)
        nested = db.session.begin_nested()
        append(2)
        nested.rollback()
        append(1)
        db.session.commit()
        append(1)
        db.session.close()
        append(1)
        db.session.commit()
        rows = db.session.execute(text("SELECT detail, prev_hash, hash FROM audit_events ORDER BY id")).all()
        assert len(rows) == 2 + 1 + 1 + 1
        for previous, current in zip(rows, rows[1:]):
            assert current.prev_hash == previous.hash
        assert audit.verify_chain().ok


def test_a_commit_forgets_the_head_so_the_next_event_links_to_what_others_appended(app):
    with app.app_context():
        append(1)
        db.session.commit()
        with app.app_context():  # another session (another request, worker or host) appends
            append(1)
            db.session.commit()
        append(1)
        db.session.commit()
        assert audit.verify_chain().ok


def test_a_direct_update_or_delete_is_refused_by_the_database(app):
    with app.app_context():
        append(1)
        db.session.commit()
        for statement in ("UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"):
            nested = db.session.begin_nested()
            with pytest.raises(DatabaseError):
                db.session.execute(text(statement))
            nested.rollback()


def test_verify_names_the_event_that_was_changed_behind_its_back(app):
    with app.app_context():
        append(5)
        ids = db.session.scalars(text("SELECT id FROM audit_events ORDER BY id")).all()
        target = ids[-3]
        allow_updates_behind_the_apps_back("audit_events")  # a forced change by someone with database rights
        db.session.execute(text("UPDATE audit_events SET detail = :d WHERE id = :id"), {"d": '{"i":99}', "id": target})
        report = audit.verify_chain()
        assert not report.ok
        assert report.first_broken_id == target
    # the outer test transaction rolls the trigger drop back


def test_cli_verify_exit_codes(app, runner):
    with app.app_context():
        append(2)
        db.session.commit()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output


def _tamper(app, event_id: int):
    """Change one committed event behind the app's back, as someone with database rights could."""
    with app.app_context():
        allow_updates_behind_the_apps_back("audit_events")
        db.session.execute(text("UPDATE audit_events SET actor_name = 'Forged' WHERE id = :id"), {"id": event_id})
        db.session.commit()


def test_parallel_walk_agrees_with_the_single_walk(isolated_app):
    """Several processes each check an id range; the joins between ranges are checked too."""
    with isolated_app.app_context():
        append(40)
        db.session.commit()
        ids = db.session.scalars(text("SELECT id FROM audit_events ORDER BY id")).all()
        single = audit.verify_chain()
        parallel = audit.verify_chain(jobs=3, min_per_job=5)
        assert single.ok and parallel.ok and parallel.checked == single.checked == len(ids)
    # a changed event inside the last range, then one at the start of the second range (a join):
    # each time the earliest broken event is the one named, as by the single walk
    for target in (ids[-5], ids[len(ids) // 3]):
        _tamper(isolated_app, target)
        with isolated_app.app_context():
            single = audit.verify_chain()
            parallel = audit.verify_chain(jobs=3, min_per_job=5)
        assert (single.ok, single.first_broken_id) == (False, target)
        assert (parallel.ok, parallel.first_broken_id, parallel.checked) == (False, target, single.checked)
