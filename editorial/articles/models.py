"""Articles and their immutable revisions."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, query_expression, relationship

from editorial.core.model_base import Base, stored_enum, utcnow
from editorial.citations.models import Citation
from editorial.accounts.models import User
from editorial.articles.workflow import OPEN_STATES, State


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    # The working topic, copied from the newest revision so lists and intervals need no join.
    topic: Mapped[str] = mapped_column(String(120), default="", index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[State] = mapped_column(stored_enum(State, "state"), index=True)
    # Number of the newest revision; an edit must name it (optimistic locking).
    version: Mapped[int] = mapped_column(Integer, default=0)
    # The working title, copied from the newest revision so lists need no join.
    title: Mapped[str] = mapped_column(String(300))
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_articles_current_revision_id_revisions")
    )
    live_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_articles_live_revision_id_revisions")
    )
    # Once submitted, every further edit needs a reason (EU GMP Annex 11).
    ever_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)  # the desk lists the latest publications
    last_reviewed_at: Mapped[datetime | None]
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    review_interval_months: Mapped[int | None] = mapped_column(Integer)
    # Its topic's review interval, where a read asks for it (articles.history.get_article).
    topic_review_interval_months: Mapped[int | None] = query_expression()

    author: Mapped[User] = relationship(lazy="raise", foreign_keys=[author_id])
    current_revision: Mapped["Revision | None"] = relationship(lazy="raise", foreign_keys=[current_revision_id], post_update=True)
    live_revision: Mapped["Revision | None"] = relationship(lazy="raise", foreign_keys=[live_revision_id], post_update=True)

    @hybrid_property
    def is_open(self) -> bool:
        """Still being worked towards approval (workflow.OPEN_STATES)."""
        return self.state in OPEN_STATES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.state.in_(sorted(OPEN_STATES))


class Revision(Base):
    """One saved state of an article. Never updated or deleted (database triggers refuse it)."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("article_id", "number", name="uq_revisions_article_id_number"),
        # Who has written an article (the access facts behind every article request) without
        # reading its revisions: an index-only scan, also serving lookups by article alone.
        Index("ix_revisions_article_id_author_id", "article_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The topic readers see it filed under: content, so it changes only with a new revision. Not
    # part of content_hash (API.md defines that); the signature binds it through the revision.
    topic: Mapped[str] = mapped_column(String(120), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))

    author: Mapped[User] = relationship(lazy="raise")
    # The ordered reference list, written in the same flush as the revision. Loaded on first use
    # (one statement, with its citations): nearly every path through a single revision needs it
    # (its content hash covers it); pages over many revisions load it with selectinload.
    citation_links: Mapped[list["RevisionCitation"]] = relationship(order_by="RevisionCitation.position", lazy="select")

    @property
    def citation_ids(self) -> list[int]:
        """The ordered citation ids, as content_hash covers them."""
        return [link.citation_id for link in self.citation_links]

    @property
    def citations(self) -> list[Citation]:
        """The cited library records, in reference order."""
        return [link.citation for link in self.citation_links]


class RevisionCitation(Base):
    """One place in a revision's ordered reference list: part of the immutable revision, so
    inserted with it and never updated or deleted (database triggers refuse it)."""

    __tablename__ = "revision_citations"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0 for the first reference
    # Indexed: "which live articles cite this source" joins from the source (queries.live_articles_citing).
    citation_id: Mapped[int] = mapped_column(ForeignKey("citations.id"), index=True)

    # By primary key, in the same statement as the list (a reference list is shown with its sources).
    citation: Mapped[Citation] = relationship(lazy="joined", innerjoin=True)


# What readers see, by number, beside the working state on every list (a primary-key lookup in
# the same statement, so no list page pays a query per row for it).
Article.live_revision_number = column_property(
    select(Revision.number).where(Revision.id == Article.live_revision_id).correlate_except(Revision).scalar_subquery()
)
