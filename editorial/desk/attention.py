"""The editor's attention list: what needs doing to keep published content current."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from editorial.core.dates import today_utc
from editorial.core.extensions import db
from editorial.articles.queries import live_articles_citing
from editorial.articles.models import Article
from editorial.public.models import ArticleFeedback
from editorial.reviews.models import Assignment
from editorial.citations.models import Citation

DUE_SOON_DAYS = 30
OLD_SOURCE_YEARS = 5
UNHELPFUL_MIN_VOTES = 5  # "many": at least this many "no" votes, and more no than yes

KINDS = {
    "overdue": "Overdue for review",
    "due_soon": f"Review due in the next {DUE_SOON_DAYS} days",
    "late_reviews": "Reviews past their due date",
    "retracted": "Live pages citing a retracted source",
    "old_sources": f"Live pages citing sources older than {OLD_SOURCE_YEARS} years",
    "unhelpful": "Many readers found it not helpful",
}
SORTS = {"due": Article.next_review_due, "title": Article.title, "updated": Article.updated_at}


def _articles(condition, sort: str):
    column = SORTS.get(sort, Article.next_review_due)
    return (select(Article).options(joinedload(Article.author)).where(condition)
            .order_by(column.is_(None), column, Article.id))


def statement(kind: str, sort: str = "due"):
    """A select for one kind of attention item (Articles, or Assignments for late reviews)."""
    today = today_utc()
    live = Article.live_revision_id.is_not(None)
    if kind == "overdue":
        return _articles(and_(live, Article.next_review_due < today), sort)
    if kind == "due_soon":
        return _articles(and_(live, Article.next_review_due >= today,
                              Article.next_review_due <= today + timedelta(days=DUE_SOON_DAYS)), sort)
    if kind == "retracted":
        ids = select(Citation.id).where(Citation.retracted.is_(True))
        return _articles(Article.id.in_(live_articles_citing(ids) or {0}), sort)
    if kind == "old_sources":
        years = current_app.config.get("OLD_SOURCE_YEARS", OLD_SOURCE_YEARS)
        ids = select(Citation.id).where(Citation.year < today.year - years)
        return _articles(Article.id.in_(live_articles_citing(ids) or {0}), sort)
    if kind == "unhelpful":
        no = func.sum(case((ArticleFeedback.helpful.is_(False), 1), else_=0))
        yes = func.sum(case((ArticleFeedback.helpful.is_(True), 1), else_=0))
        votes = (
            select(ArticleFeedback.article_id).group_by(ArticleFeedback.article_id)
            .having(no >= UNHELPFUL_MIN_VOTES).having(no > yes)
        )
        return _articles(Article.id.in_(votes), sort)
    if kind == "late_reviews":
        return (
            select(Assignment).join(Article, Article.id == Assignment.article_id)
            .options(joinedload(Assignment.reviewer), contains_eager(Assignment.article_row))
            .where(Assignment.removed_at.is_(None), Assignment.declined_at.is_(None), Assignment.due_date < today,
                   Article.state.in_(["draft", "in_review", "changes_requested"]),
                   or_(Assignment.decided_revision.is_(None), Assignment.decided_revision != Article.version))
            .order_by(Assignment.due_date, Assignment.id)
        )
    raise KeyError(kind)


def feedback_by_revision(article: Article) -> list[tuple[int, int, int]]:
    """(revision number, helpful votes, not-helpful votes) for one article, newest revision first."""
    rows = db.session.execute(
        select(ArticleFeedback.revision_number, ArticleFeedback.helpful, func.count(ArticleFeedback.id))
        .where(ArticleFeedback.article_id == article.id)
        .group_by(ArticleFeedback.revision_number, ArticleFeedback.helpful)
    ).all()
    table: dict[int, list[int]] = {}
    for number, helpful, count in rows:
        table.setdefault(number, [0, 0])[0 if helpful else 1] += count
    return [(n, yes, no) for n, (yes, no) in sorted(table.items(), reverse=True)]
