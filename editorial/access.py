"""What the permission rules need to know about one article, loaded in two queries."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from editorial.extensions import db
from editorial.models import Article, Assignment, Revision, User


@dataclass
class ArticleAccess:
    article: Article
    assignments: list[Assignment] = field(default_factory=list)
    revision_author_ids: set[int] = field(default_factory=set)

    def assignment_of(self, user: User) -> Assignment | None:
        """The user's assignment that has not been removed (a declined one still counts here)."""
        for assignment in self.assignments:
            if assignment.reviewer_id == user.id and assignment.removed_at is None:
                return assignment
        return None

    @property
    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.is_active]


def load_access(article: Article) -> ArticleAccess:
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.article_id == article.id)
        .options(selectinload(Assignment.reviewer))
        .order_by(Assignment.id)
    ).all()
    writers = set(db.session.scalars(select(Revision.author_id).where(Revision.article_id == article.id).distinct()))
    return ArticleAccess(article=article, assignments=list(assignments), revision_author_ids=writers)
