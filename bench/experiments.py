"""Measure candidate changes on a scratch copy, without editing the application.

    .venv/bin/python -m bench.experiments --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x --generate 0.1

1. audit verify: the app's verify_chain() (ORM entities) against the same walk over plain Core rows,
   hashing with editorial.audit.event_hash on lightweight objects (identical result, fewer allocations).
2. indexes: the audit-log filters (article, actor) and the history query, timed before and after
   CREATE INDEX statements applied directly to the bench database.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from types import SimpleNamespace


def _time(fn, repeat: int = 7) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(samples), 2)


def core_verify(session, batch_size: int = 10_000):
    """Same checks as editorial.audit.verify_chain, over Core rows instead of ORM entities."""
    from sqlalchemy import select

    from editorial.audit import GENESIS_HASH, event_hash
    from editorial.models import AuditEvent

    t = AuditEvent.__table__
    columns = [t.c[name] for name in ("id", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
                                      "article_id", "revision_number", "from_state", "to_state", "detail",
                                      "prev_hash", "hash")]
    expected, checked = GENESIS_HASH, 0
    result = session.execute(select(*columns).order_by(t.c.id).execution_options(yield_per=batch_size))
    for row in result:
        checked += 1
        event = SimpleNamespace(**row._mapping)
        if event.prev_hash != expected or event_hash(event) != event.hash:
            return False, checked, event.id
        expected = event.hash
    return True, checked, None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--generate", type=float, help="first build a newsroom at this scale of the default size")
    p.add_argument("--write-pool", type=int, default=40)
    p.add_argument("--instance", type=Path, default=Path("/tmp/vetted-bench-experiments"))
    args = p.parse_args(argv)

    from sqlalchemy import select, text

    from bench.generate import Manifest, Size, generate
    from editorial import create_app
    from editorial.audit import verify_chain
    from editorial.extensions import db
    from editorial.models import AuditEvent, Revision

    manifest = None
    if args.generate:
        manifest = generate(args.url, args.instance, Size(write_pool=args.write_pool).scaled(args.generate), log=None)
        print("generated:", manifest.timings)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "x"})
    with app.app_context():
        t = time.perf_counter()
        report = verify_chain()
        app_s = time.perf_counter() - t
        t = time.perf_counter()
        ok, checked, _ = core_verify(db.session)
        core_s = time.perf_counter() - t
        print(f"verify: app verify_chain {app_s:.2f} s ({report.checked} events, ok={report.ok}); "
              f"Core-row walk {core_s:.2f} s (ok={ok}, {checked} events)")
        db.session.rollback()

        history_article = 1
        busy_actor = manifest.busy_actor if manifest else db.session.scalar(
            select(AuditEvent.actor_id).group_by(AuditEvent.actor_id).order_by(text("count(*) desc")).limit(1))
        from sqlalchemy.orm import joinedload

        queries = {
            "audit_by_article": lambda: db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == history_article)
                                                           .order_by(AuditEvent.id).limit(51)).all(),
            "audit_by_actor": lambda: db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == busy_actor)
                                                         .order_by(AuditEvent.id).limit(51)).all(),
            "audit_by_actor_last_page": lambda: db.session.scalars(
                select(AuditEvent).where(AuditEvent.actor_id == busy_actor, AuditEvent.id > 0)
                .order_by(AuditEvent.id.desc()).limit(51)).all(),
            "history_1000": lambda: db.session.scalars(select(Revision).options(joinedload(Revision.author))
                                                       .where(Revision.article_id == history_article)
                                                       .order_by(Revision.number.desc())).all(),
        }
        before = {name: _time(fn) for name, fn in queries.items()}
        db.session.rollback()
        statements = [
            "CREATE INDEX IF NOT EXISTS bench_ix_audit_article_id_id ON audit_events (article_id, id)",
            "CREATE INDEX IF NOT EXISTS bench_ix_audit_actor_id_id ON audit_events (actor_id, id)",
        ]
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
            conn.execute(text("ANALYZE audit_events"))
        after = {name: _time(fn) for name, fn in queries.items()}
        db.session.rollback()
        print("query medians in ms, before -> after " + "; ".join(statements))
        for name in queries:
            print(f"  {name:26s} {before[name]:8.2f} -> {after[name]:8.2f}")
        with db.engine.begin() as conn:
            conn.execute(text("DROP INDEX IF EXISTS bench_ix_audit_article_id_id"))
            conn.execute(text("DROP INDEX IF EXISTS bench_ix_audit_actor_id_id"))
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
