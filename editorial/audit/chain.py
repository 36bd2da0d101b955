"""Appending to and verifying the hash-chained audit trail.

Each event's hash covers its own canonical content and the previous event's hash,
so changing, removing or inserting any event breaks every hash after it.
"""
import gc
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

from sqlalchemy import func, select, text

from editorial.core.extensions import db, reading_only, transaction_scoped
from editorial.audit.models import AuditEvent
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.core.sql_time import utc_text
from editorial.audit.hashing import GENESIS_HASH, HASHED_FIELDS, canonical_json, event_hash, hash_of

# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 74_616_001


def hashable_columns():
    """id, `at` as text, the hashed fields in hash_of's order, and the stored hash."""
    return (AuditEvent.id, utc_text(AuditEvent.at).label("at"),
            *(getattr(AuditEvent, name) for name in HASHED_FIELDS), AuditEvent.hash)


# Positions in a row of hashable_columns(): hash_of's arguments are row[_AT:_HASH].
_AT, _PREV_HASH, _HASH = 1, 2 + HASHED_FIELDS.index("prev_hash"), 2 + len(HASHED_FIELDS)


# session.info: the last event this transaction appended (the lock keeps it the head).
_CHAIN_HEAD = transaction_scoped("audit_chain_head")


def lock_chain() -> None:
    """Serialise appends to the chain until the transaction ends (taken again: a no-op)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # On the connection, not through the session: a lock reads and writes no row, so the facts
        # read before it (access.py) still stand.
        db.session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    # SQLite transactions begin IMMEDIATE (see extensions.py), which already serialises writers.


# Every action name the app records (the audit log's action filter offers these). One list: a
# test reads every audit.record call in the code and fails when a name is missing or stale.
ACTIONS = (
    "article.approval_voided", "article.approve", "article.created", "article.publish", "article.request_changes",
    "article.review_interval_set", "article.start_rereview", "article.submit",
    "article.unpublish", "article.withdraw",
    "auth.password_accepted", "auth.second_factor_failed", "auth.second_factor_passed", "auth.sign_in_failed",
    "auth.signed_in",
    "citation.attached", "citation.completed", "citation.created", "citation.detached", "citation.imported", "citation.retracted",
    "comment.added", "comment.resolved",
    "notification.requeued",
    "pemat.scored",
    "public_page.withheld",
    "review.accepted", "review.assigned", "review.conflict_after_publication", "review.conflict_waived",
    "review.declined", "review.removed",
    "revision.saved",
    "schedule.applied", "schedule.cancelled", "schedule.created", "schedule.voided",
    "session.ended", "session.ended_all", "session.started",
    "signature.recorded", "signature.refused", "signature.voided",
    "token.issued", "token.revoked",
    "topic.interval_set",
    "user.created", "user.deactivated", "user.invitation_accepted", "user.invited", "user.locked",
    "user.password_changed", "user.password_reset", "user.reactivated", "user.recovery_codes_generated",
    "user.recovery_codes_refused",
    "user.roles_changed", "user.time_zone_changed", "user.two_factor_disable_refused", "user.two_factor_disabled",
    "user.two_factor_enabled", "user.two_factor_reset", "user.unlocked", "user.updated",
)


def record(
    action: str,
    *,
    actor: User | None,
    object_type: str,
    object_id=None,
    article_id: int | None = None,
    revision_number: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Append one event in the caller's transaction. Never pass secrets in detail. With flush=False
    the caller's next flush writes it, in one statement with the events recorded beside it (the
    chain links them here, in the order recorded, which is the order of their ids)."""
    session = db.session()
    head = session.info.get(_CHAIN_HEAD)
    if head is None:  # the transaction's first event: take the lock, then read the head
        lock_chain()
        head = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "system (command line)",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        article_id=article_id,
        revision_number=revision_number,
        from_state=from_state,
        to_state=to_state,
        detail=canonical_json(detail or {}),
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    if session.get_bind().dialect.name == "sqlite":
        # SQLite cannot tell which row of a many-row INSERT ... RETURNING is which, so events whose
        # ids it chose would be inserted one statement each. The write lock is held: the next id is
        # the head's plus one, as SQLite itself would choose it.
        event.id = (head.id if head else 0) + 1
    event.hash = event_hash(event)
    db.session.add(event)
    if flush:
        db.session.flush()
    # The lock is held to the end of the transaction, so this event stays the head until then.
    session.info[_CHAIN_HEAD] = event
    return event


def head_appended_here() -> tuple[int, str] | None:
    """(id, hash) of the chain head when this transaction appended it (and so holds the lock)."""
    event = db.session().info.get(_CHAIN_HEAD)
    if event is None:
        return None
    if event.id is None:  # recorded with flush=False
        db.session.flush()
    return event.id, event.hash


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None
    checkpoints: int = 0  # signed checkpoints the chain was checked against
    problem: str | None = None  # what is wrong at first_broken_id
    rows_checked: int = 0  # revisions and signatures checked against the events that recorded them


def _driver_rows(connection, statement) -> list[tuple]:
    """All rows of `statement` as the driver's own tuples: over a million events, building
    SQLAlchemy Row objects costs about as much as hashing them."""
    compiled = statement.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def keyset_batches(connection, query, batch_size: int = 20_000):
    """The rows of `query` (whose first column is AuditEvent.id) in id order, one plain query per
    batch keyed on the last id seen: flat memory for any size, without a server-side cursor,
    which on PostgreSQL costs a round trip per hundred rows."""
    def fetch(after):
        page = query if after is None else query.where(AuditEvent.id > after)
        return _driver_rows(connection, page.order_by(AuditEvent.id).limit(batch_size))

    if connection.dialect.name == "sqlite":
        rows = fetch(None)
        while rows:
            yield rows
            rows = fetch(rows[-1][0])
        return
    # A database server works while we wait: fetch the next batch in a thread while the caller
    # works on this one (the driver releases the GIL meanwhile). 11.3 s -> 9.3 s for a million
    # events on PostgreSQL; SQLite does its work in this process, so there it gains nothing.
    with ThreadPoolExecutor(1) as fetcher:
        rows = fetch(None)
        while rows:
            following = fetcher.submit(fetch, rows[-1][0])
            yield rows
            rows = following.result()


@dataclass
class _Stretch:
    """One stretch of consecutive events, checked on its own; the caller checks the joins."""
    first_id: int | None = None
    first_prev_hash: str | None = None
    last_hash: str | None = None
    checked: int = 0
    broken_id: int | None = None


def _walk(connection, first_id: int | None = None, last_id: int | None = None) -> _Stretch:
    # Rows of hashable_columns() with `at` as text: no ORM, no datetime parsing (each of those
    # cost more than the hashing itself over a million events).
    query = select(*hashable_columns())
    if first_id is not None:
        query = query.where(AuditEvent.id >= first_id)
    if last_id is not None:
        query = query.where(AuditEvent.id <= last_id)
    stretch = _Stretch()
    with _no_cycle_collection():
        for batch in keyset_batches(connection, query):
            if stretch.first_id is None:
                stretch.first_id = batch[0][0]
                stretch.first_prev_hash = stretch.last_hash = batch[0][_PREV_HASH]
            stretch.broken_id, stretch.last_hash, checked = _check_batch(batch, stretch.last_hash)
            stretch.checked += checked
            if stretch.broken_id is not None:
                break
    return stretch


@contextmanager
def _no_cycle_collection():
    """The walk allocates millions of short-lived tuples, none in a reference cycle; letting them
    trigger the cycle collector, which then scans every object of the app, costs a fifth of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_batch(rows: list[tuple], expected_prev: str) -> tuple[int | None, str, int]:
    """(first broken id or None, hash of the last good event, events checked) for rows of
    (id, at, *HASHED_FIELDS ending in prev_hash, hash). A tight loop over locals: this is the
    one place that runs a million times."""
    checked, at, prev, own, hash_ = 0, _AT, _PREV_HASH, _HASH, hash_of
    for row in rows:
        checked += 1
        if row[prev] != expected_prev or hash_(*row[at:own]) != row[own]:
            return row[0], expected_prev, checked
        expected_prev = row[own]
    return None, expected_prev, checked


def _walk_in_process(url: str, first_id: int, last_id: int) -> _Stretch:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with reading_only(), engine.connect() as connection:
        return _walk(connection, first_id, last_id)


def _stretches(jobs: int, min_per_job: int) -> list[_Stretch]:
    if jobs > 1:
        low, high = db.session.execute(select(func.min(AuditEvent.id), func.max(AuditEvent.id))).one()
        if low is not None and high - low + 1 >= min_per_job * jobs:
            bounds = [low + (high - low + 1) * k // jobs for k in range(jobs + 1)]
            url = db.engine.url.render_as_string(hide_password=False)
            # Each process reads its own id range over its own connection (never the parent's);
            # events appended meanwhile (after `high`) are left for the next walk. Forked workers
            # start at once, spawned ones would import the whole app again.
            context = get_context("fork" if sys.platform == "linux" else "spawn")
            with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                return list(pool.map(_walk_in_process, [url] * jobs, bounds[:-1], [b - 1 for b in bounds[1:]]))
    return [_walk(db.session.connection())]


def verify_chain(jobs: int = 1, *, min_per_job: int = 10_000) -> ChainReport:
    """Walk the whole chain in id order; name the first event that does not fit. Then check it
    against every signed checkpoint (checkpoints.py): a chain rewritten and recomputed, or cut at
    its tail, no longer matches what was signed.

    jobs > 1 checks that many id ranges in parallel processes (the command line does: a million
    events take seconds instead of tens of seconds), then checks that each range joins the one before.
    """
    from editorial.audit import history_check
    from editorial.audit.checkpoints import verify_against_checkpoints

    report = _walk_chain(jobs, min_per_job)
    if not report.ok:
        return report
    with reading_only():
        report.checkpoints, problem = verify_against_checkpoints()
        if problem is None:  # the events are proved: now the rows they recorded
            report.rows_checked, problem = history_check.first_problem()
    if problem is not None:
        return ChainReport(ok=False, checked=report.checked, first_broken_id=problem.event_id,
                           checkpoints=report.checkpoints, problem=problem.message, rows_checked=report.rows_checked)
    return report


def _walk_chain(jobs: int, min_per_job: int) -> ChainReport:
    checked, expected_prev = 0, GENESIS_HASH
    with reading_only():
        stretches = _stretches(jobs, min_per_job)
    for stretch in stretches:
        if stretch.first_id is None:
            continue
        if stretch.first_prev_hash != expected_prev:
            return ChainReport(ok=False, checked=checked + 1, first_broken_id=stretch.first_id,
                               problem="this event does not follow the one before it")
        checked += stretch.checked
        if stretch.broken_id is not None:
            return ChainReport(ok=False, checked=checked, first_broken_id=stretch.broken_id,
                               problem="this event's content does not match its hash, or it does not link")
        expected_prev = stretch.last_hash
    return ChainReport(ok=True, checked=checked, first_broken_id=None)
