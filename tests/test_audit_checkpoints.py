"""The record cannot be quietly rewritten (21 CFR Part 11 §11.10(e)): signed checkpoints of the chain
head, kept in the database and outside it, catch a chain that was edited and recomputed with the
project's own (unkeyed) hash, or cut at its tail, which the chain walk alone accepts.
"""
import json
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select, text

from editorial.audit import chain as audit
from editorial.core.extensions import db
from editorial.audit.models import AuditCheckpoint, AuditEvent
from tests.conftest import allow_updates_behind_the_apps_back, rewrite_live_revision


def _allow_deletes(table: str) -> None:
    allow_updates_behind_the_apps_back(table)
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))


def _recompute_chain_from(first_id: int) -> None:
    """Rehash every event from first_id on, as someone who read audit.py would after editing one."""
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id >= first_id).order_by(AuditEvent.id)).all()
    previous = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.id < first_id)
                                 .order_by(AuditEvent.id.desc()).limit(1)) or audit.GENESIS_HASH
    for row in rows:
        row.prev_hash = previous
        row.hash = audit.event_hash(row)
        previous = row.hash
    db.session.flush()


def _verify(runner):
    result = runner.invoke(args=["audit", "verify", "--jobs", "1"])
    return result.exit_code, result.output


def test_each_publication_is_covered_by_a_checkpoint_anyone_can_verify(app, client, newsroom):
    article = newsroom.published()
    published = client.get("/transparency/checkpoint.json").json
    checkpoint = published["checkpoint"]
    with app.app_context():
        publish_id = db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.article_id == article["id"], AuditEvent.action == "article.publish"))
        assert checkpoint["event_id"] == publish_id
        assert checkpoint["event_count"] == db.session.scalar(select(db.func.count(AuditEvent.id)))
    # Verified with nothing but `cryptography`, from what the public URL gives.
    key = load_pem_public_key(published["public_key"].encode())
    payload = json.dumps({k: checkpoint[k] for k in ("created_at", "event_count", "event_hash", "event_id", "key_id")},
                         sort_keys=True, separators=(",", ":")).encode()
    key.verify(bytes.fromhex(checkpoint["signature"]), payload)  # raises InvalidSignature otherwise
    assert client.get("/transparency/audit-public-key.pem").get_data(as_text=True) == published["public_key"]
    # ...and kept outside the database once committed
    kept = Path(app.config["AUDIT_CHECKPOINT_DIR"], "checkpoints.jsonl").read_text().splitlines()
    assert json.loads(kept[-1])["signature"] == checkpoint["signature"]


def test_the_checkpoint_command_signs_the_head_once(app, runner, newsroom):
    newsroom.create()
    first = runner.invoke(args=["audit", "checkpoint"])
    assert first.exit_code == 0 and "Checkpoint: event" in first.output
    again = runner.invoke(args=["audit", "checkpoint"])
    assert again.exit_code == 0 and "Nothing new" in again.output
    assert _verify(runner)[0] == 0


def test_an_edited_event_with_the_chain_recomputed_is_caught(app, runner, newsroom):
    article = newsroom.published()
    newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer,
                  {"base_version": article["version"], "body": "Later [@tom2019].", "note": "later"})
    with app.app_context():
        target = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "signature.recorded").limit(1))
        allow_updates_behind_the_apps_back("audit_events")
        db.session.execute(text("UPDATE audit_events SET actor_name = 'Someone Else' WHERE id = :id"), {"id": target})
        _recompute_chain_from(target)
        db.session.commit()
        assert audit._walk_chain(1, 10_000).ok  # the chain alone now looks intact
    code, output = _verify(runner)
    assert code == 1 and "rewritten" in output


def test_a_cut_tail_with_a_publication_in_it_is_caught(app, runner, newsroom):
    newsroom.published()
    with app.app_context():
        last_five = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(5)).all()
        assert "article.publish" in db.session.scalars(select(AuditEvent.action).where(AuditEvent.id.in_(last_five))).all()
        _allow_deletes("audit_events")
        db.session.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": min(last_five)})
        db.session.commit()
        assert audit._walk_chain(1, 10_000).ok
    code, output = _verify(runner)
    assert code == 1 and "missing" in output


def test_an_event_removed_from_the_middle_and_relinked_is_caught(app, runner, newsroom):
    newsroom.published()
    with app.app_context():
        ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        victim = ids[len(ids) // 2]
        _allow_deletes("audit_events")
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": victim})
        _recompute_chain_from(victim + 1)
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1


def test_a_checkpoint_removed_from_the_database_is_caught_by_the_copy_outside_it(app, runner, newsroom):
    newsroom.published()
    with app.app_context():
        _allow_deletes("audit_checkpoints")
        db.session.execute(text("DELETE FROM audit_checkpoints"))
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and "outside the database" in output


def test_a_checkpoint_forged_without_the_key_is_caught(app, runner, newsroom):
    newsroom.published()
    with app.app_context():
        forged = db.session.scalars(select(AuditCheckpoint)).first()
        db.session.add(AuditCheckpoint(event_id=forged.event_id, event_hash=forged.event_hash,
                                       event_count=forged.event_count, reason="forged", key_id=forged.key_id,
                                       signature="00" * 64))
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and "signature" in output


def test_the_api_and_the_page_report_checkpoints(app, client, login, newsroom):
    newsroom.published()
    report = newsroom.call("GET", "/audit/verify", newsroom.auditor).json
    assert report["ok"] and report["checkpoints"] >= 1 and report["problem"] is None
    login(newsroom.auditor)
    assert "signed checkpoint" in client.get("/audit/verify").get_data(as_text=True)


def test_a_revision_rewritten_with_its_hash_recomputed_is_named(app, runner, newsroom):
    article = newsroom.published()
    with app.app_context():
        number = rewrite_live_revision(article["id"], "Take 500 mg.")
    code, output = _verify(runner)
    assert code == 1 and f"revision {number}" in output and "revision.saved" in output


def test_a_signature_rewritten_behind_the_apps_back_is_named(app, runner, newsroom):
    newsroom.published()
    with app.app_context():
        allow_updates_behind_the_apps_back("signatures")
        db.session.execute(text("UPDATE signatures SET printed_name = 'Dr. Someone Else'"))
        db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and "signature.recorded" in output
