"""The notification outbox: one row per message to one user, written in the same transaction
as the event it reports, delivered later by the worker (`flask --app editorial notifications send`)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from editorial.core.model_base import Base, utcnow
from editorial.accounts.models import User


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # review_assigned | changes_requested | published | approved | reminder_before | reminder_overdue
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A path inside the app, e.g. /articles/12; the e-mail prefixes APP_BASE_URL when it is set.
    link: Mapped[str | None] = mapped_column(String(300))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # pending -> sending -> sent; pending -> sending -> pending (retry) ... -> failed
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When a worker took it for sending: a row left in `sending` long after this was
    # claimed by a worker that stopped mid-send; it is never resent automatically.
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    # Set where an event may be noticed more than once (reminders): the row is inserted once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    user: Mapped[User] = relationship(lazy="raise")
