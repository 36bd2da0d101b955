"""Review assignments, signatures and the comment thread."""
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, Text, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from editorial.accounts.models import User
from editorial.articles.workflow import Decision
from editorial.core.model_base import Base, stored_enum, utcnow

if TYPE_CHECKING:
    from editorial.articles.models import Article


# How a reviewer's part in the round reads on badges, for the article's current revision.
REVIEW_STATUS_LABELS = {
    "invited": "awaiting answer",
    "accepted": "accepted",
    "declined": "declined",
    "signed": "signed",
    "changes_requested": "changes requested",
    "signed_earlier": "signed an earlier revision",
    "changes_requested_earlier": "asked for changes on an earlier revision",
}


class AssignmentStatus(StrEnum):
    """An assignment as the API states it, for the article's current version (Assignment.status_for)."""
    PENDING = "pending"
    APPROVED = Decision.APPROVED.value
    CHANGES_REQUESTED = Decision.CHANGES_REQUESTED.value
    DECLINED = "declined"


class Assignment(Base):
    """A physician expert asked to review an article."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)  # the editor desk lists the most overdue first
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # What the reviewer declared for this article: a statement, or None when they declared none
    # (conflict_declared_at set) or have not declared yet (conflict_declared_at None).
    conflict_of_interest: Mapped[str | None] = mapped_column(Text)
    conflict_declared_at: Mapped[datetime | None]
    conflict_waived_at: Mapped[datetime | None]
    conflict_waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    conflict_waiver_reason: Mapped[str | None] = mapped_column(Text)
    # The reviewer's latest decision and the revision it was about.
    decision: Mapped[Decision | None] = mapped_column(stored_enum(Decision, "decision"))
    decided_revision: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None]
    # Removal keeps the row: history is never deleted.
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reviewer: Mapped[User] = relationship(lazy="raise", foreign_keys=[reviewer_id])
    # The editor told when the reviewers have all signed (notifications.approval_recipients).
    assigned_by: Mapped[User] = relationship(lazy="raise", foreign_keys=[assigned_by_id])
    article_row: Mapped["Article"] = relationship(lazy="raise")

    # The predicates below are written once for Python and SQL (tests/unit/test_model_predicates.py
    # checks that both forms agree); pass the Article class to the SQL form, an article to the Python one.

    @hybrid_property
    def is_active(self) -> bool:
        """Neither removed nor declined: the reviewer is part of the round."""
        return self.removed_at is None and self.declined_at is None

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls):
        return and_(cls.removed_at.is_(None), cls.declined_at.is_(None))

    @hybrid_method
    def awaits_decision_on(self, version) -> bool:
        """No decision stands on this revision (none taken, one on an earlier revision, or a voided signature)."""
        return self.decision is None or self.decided_revision != version

    @awaits_decision_on.inplace.expression
    @classmethod
    def _awaits_decision_on_expression(cls, version):
        return or_(cls.decision.is_(None), cls.decided_revision.is_(None), cls.decided_revision != version)

    @hybrid_method
    def is_outstanding(self, article) -> bool:
        """A review the reviewer still owes: active, on an open article, undecided on its current revision."""
        return self.is_active and article.is_open and self.awaits_decision_on(article.version)

    @is_outstanding.inplace.expression
    @classmethod
    def _is_outstanding_expression(cls, article):
        return and_(cls.is_active, article.is_open, cls.awaits_decision_on(article.version))

    @hybrid_method
    def is_late(self, article, today) -> bool:
        """An outstanding review past its due date."""
        return self.is_outstanding(article) and self.due_date is not None and self.due_date < today

    @is_late.inplace.expression
    @classmethod
    def _is_late_expression(cls, article, today):
        return and_(cls.is_outstanding(article), cls.due_date < today)

    @property
    def has_declared(self) -> bool:
        return self.conflict_declared_at is not None

    @property
    def declaration(self) -> str | None:
        """The declaration as the API states it: the statement, "none", or None before one is made."""
        if not self.has_declared:
            return None
        return self.conflict_of_interest or "none"

    @property
    def conflict_blocks_signing(self) -> bool:
        return bool(self.conflict_of_interest) and self.conflict_waived_at is None

    def status_for(self, version: int) -> AssignmentStatus:
        if self.declined_at is not None:
            return AssignmentStatus.DECLINED
        if not self.awaits_decision_on(version):
            return AssignmentStatus(self.decision)
        return AssignmentStatus.PENDING

    def revision_to_compare(self, version: int) -> int | None:
        """The revision this reviewer last decided on (signed, or asked for changes), when the
        article has moved on since: what "changed since you last looked" starts from."""
        if self.decision is not None and self.decided_revision is not None and self.decided_revision < version:
            return self.decided_revision
        return None

    def review_status(self, version: int) -> str:
        """Where this reviewer stands, in the words of REVIEW_STATUS_LABELS: their answer, their
        decision on the current revision, or the decision they took on an earlier one."""
        if self.declined_at is not None:
            return "declined"
        if self.decision is not None:
            signed = self.decision == Decision.APPROVED
            if self.decided_revision == version:
                return "signed" if signed else "changes_requested"
            return "signed_earlier" if signed else "changes_requested_earlier"
        return "accepted" if self.accepted_at is not None else "invited"


class Signature(Base):
    """An electronic signature (21 CFR Part 11 §11.50): who, when, what it means, on which exact text.
    Never updated or deleted (database triggers refuse it)."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    revision_number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    meaning: Mapped[str] = mapped_column(String(32), default="approval")
    # A snapshot of the signer's profile: a later profile edit never rewrites what was attested.
    printed_name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = mapped_column(String(120))
    specialty: Mapped[str | None] = mapped_column(String(200))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    disclosure: Mapped[str] = mapped_column(Text)
    conflict_of_interest: Mapped[str | None] = mapped_column(Text)

    signer: Mapped[User] = relationship(lazy="raise")


class Comment(Base):
    """A note in the article's review thread, tied to the revision it was written on."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    revision_number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # comment | submission | changes_requested | withdrawal
    kind: Mapped[str] = mapped_column(String(32), default="comment")
    body: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    # With the quote, a W3C text-quote selector: the rendered text just before and after the passage
    # as the browser saw it, to find the passage again (editorial.reviews.annotations). None for a typed quote.
    quote_prefix: Mapped[str | None] = mapped_column(String(64))
    quote_suffix: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(lazy="raise", foreign_keys=[author_id])
