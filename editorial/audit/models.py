"""The append-only, hash-chained audit trail."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from editorial.core.model_base import Base, utcnow
from editorial.accounts.models import User


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The actor's name as it was, so a later rename never rewrites the record.
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    article_id: Mapped[int | None] = mapped_column(Integer, index=True)
    revision_number: Mapped[int | None] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    # Canonical JSON text: hashed as stored, so it must never be re-serialised.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor: Mapped[User | None] = relationship(lazy="raise")


class AuditCheckpoint(Base):
    """A signed statement of the audit chain's head: "event N, with this hash, was the Nth event".
    Signed with an Ed25519 key kept outside the database (checkpoints.py), so that someone who can
    rewrite the database, but has not the key, cannot rewrite history and recompute the chain
    unnoticed. Never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    event_hash: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(64))
    # Hex Ed25519 signature over checkpoints.signed_payload(...).
    signature: Mapped[str] = mapped_column(String(128))
