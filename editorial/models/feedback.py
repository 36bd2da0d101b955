"""What the public site keeps: anonymous reader feedback and the history of article slugs."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from editorial.models.base import Base, utcnow


class ArticleFeedback(Base):
    """One anonymous 'Was this helpful?' vote. Deliberately no personal data: no IP address,
    no user agent, no user id, no cookie value; only what was voted on, the answer and when."""

    __tablename__ = "article_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    # The live revision the reader saw when voting.
    revision_number: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleSlug(Base):
    """A slug an article used to have. Its public URL redirects (301) to the current slug."""

    __tablename__ = "article_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
