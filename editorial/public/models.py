"""What the public site keeps: anonymous reader feedback."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from editorial.core.model_base import Base, utcnow


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

