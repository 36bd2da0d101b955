"""Keeping content current: topic review intervals, scheduled publishing, PEMAT-P scores."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from editorial.core.model_base import Base, utcnow
from editorial.accounts.models import User


class Topic(Base):
    """A topic's review interval; an article may override it (Article.review_interval_months)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    review_interval_months: Mapped[int] = mapped_column(Integer, default=12)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Schedule(Base):
    """A publication or take-down set for a future time. Until the worker applies it, it is only
    a plan: pages show it as scheduled, never as published."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # publish | unpublish
    run_at: Mapped[datetime] = mapped_column(index=True)
    # For publish: the approved revision it will put live; voided if that is no longer approved.
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|applied|voided|cancelled
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User] = relationship(lazy="raise")


class PematScore(Base):
    """An editor's PEMAT-P assessment of one revision (AHRQ's understandability and actionability)."""

    __tablename__ = "pemat_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    revision_number: Mapped[int] = mapped_column(Integer)
    scorer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # {"item number": "agree" | "disagree" | "na"} as JSON text
    answers: Mapped[str] = mapped_column(Text)
    understandability: Mapped[int | None] = mapped_column(Integer)  # percent, None when no item applied
    actionability: Mapped[int | None] = mapped_column(Integer)

    scorer: Mapped[User] = relationship(lazy="raise")
