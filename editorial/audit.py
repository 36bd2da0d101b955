"""Appending to and verifying the hash-chained audit trail.

Each event's hash covers its own canonical content and the previous event's hash,
so changing, removing or inserting any event breaks every hash after it.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text

from editorial.extensions import db
from editorial.models import AuditEvent, User
from editorial.models.base import utcnow

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 74_616_001


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Everything about an event that its hash covers, besides its time.
HASHED_FIELDS = (
    "actor_id", "actor_name", "action", "object_type", "object_id", "article_id", "revision_number",
    "from_state", "to_state", "detail", "prev_hash",
)


def hashed_content(event: AuditEvent) -> dict:
    """The canonical content of an event, as hashed and as exported."""
    return {"at": format_time(event.at), **{name: getattr(event, name) for name in HASHED_FIELDS}}


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(hashed_content(event)).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    # SQLite transactions begin IMMEDIATE (see extensions.py), which already serialises writers.


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
) -> AuditEvent:
    """Append one event in the caller's transaction. Never pass secrets in detail."""
    _lock_chain()
    prev_hash = db.session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ) or GENESIS_HASH
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
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; name the first event that does not fit."""
    expected_prev = GENESIS_HASH
    checked = 0
    # Plain rows, not ORM objects: the walk is about twice as fast and needs no identity map.
    result = db.session.execute(
        select(*AuditEvent.__table__.columns).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    )
    for event in result:
        checked += 1
        if event.prev_hash != expected_prev or event_hash(event) != event.hash:
            return ChainReport(ok=False, checked=checked, first_broken_id=event.id)
        expected_prev = event.hash
    return ChainReport(ok=True, checked=checked, first_broken_id=None)
