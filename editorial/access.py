"""What the permission rules need to know about one article, loaded in two queries."""
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

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


_MEMO = "article_access"


def load_access(article: Article) -> ArticleAccess:
    """The facts, read once per article until the session next writes: a write request's view checks
    access and then its service checks again, and both must see the same facts. Any flush, commit or
    rollback forgets them, and so do pending changes (a query would flush them first)."""
    session = db.session()
    memo = session.info.setdefault(_MEMO, {})
    if article.id in memo and not (session.new or session.dirty or session.deleted):
        return memo[article.id]
    access = _read_access(article)  # its queries flush pending changes first, which empties the memo
    session.info.setdefault(_MEMO, {})[article.id] = access
    return access


@event.listens_for(Session, "after_flush")
def _forget_access(session, *_args) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_access_at_the_end(session, transaction) -> None:
    if transaction.parent is None or transaction.nested:  # not a flush's own subtransaction
        _forget_access(session)


def _read_access(article: Article) -> ArticleAccess:
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.article_id == article.id)
        .options(selectinload(Assignment.reviewer))
        .order_by(Assignment.id)
    ).all()
    writers = set(db.session.scalars(select(Revision.author_id).where(Revision.article_id == article.id).distinct()))
    return ArticleAccess(article=article, assignments=list(assignments), revision_author_ids=writers)
