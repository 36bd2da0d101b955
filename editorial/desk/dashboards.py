"""Read-side queries for each role's desk; each is a fixed number of SQL statements."""
from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from editorial.core.dates import today_utc
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.reviews.models import Assignment, Comment, Signature
from editorial.accounts.models import User
from editorial.articles.workflow import State

LIMIT = 10
OPEN_STATES = [State.DRAFT.value, State.IN_REVIEW.value, State.CHANGES_REQUESTED.value]


def _active_assignment():
    return and_(Assignment.removed_at.is_(None), Assignment.declined_at.is_(None))


def _undecided_on_current():
    return or_(Assignment.decided_revision.is_(None), Assignment.decided_revision != Article.version)


def editor_desk() -> dict:
    counts = dict(db.session.execute(select(Article.state, func.count()).group_by(Article.state)).all())
    has_reviewer = exists().where(Assignment.article_id == Article.id, _active_assignment())
    unassigned = db.session.scalars(
        select(Article).options(joinedload(Article.author))
        .where(Article.state.in_(OPEN_STATES), not_(has_reviewer))
        .order_by(Article.updated_at).limit(LIMIT)
    ).all()
    overdue = db.session.scalars(
        select(Assignment).join(Article, Article.id == Assignment.article_id)
        .options(joinedload(Assignment.reviewer), contains_eager(Assignment.article_row))
        .where(_active_assignment(), Assignment.due_date < today_utc(), Article.state.in_(OPEN_STATES), _undecided_on_current())
        .order_by(Assignment.due_date).limit(LIMIT)
    ).all()
    ready = db.session.scalars(
        select(Article).options(joinedload(Article.author)).where(Article.state == State.APPROVED.value)
        .order_by(Article.updated_at).limit(LIMIT)
    ).all()
    published = db.session.scalars(
        select(Article).options(joinedload(Article.author)).where(Article.published_at.is_not(None))
        .order_by(Article.published_at.desc()).limit(LIMIT)
    ).all()
    from editorial.citations.retraction_checks import published_articles_citing_retracted

    return {
        "citing_retracted": published_articles_citing_retracted(limit=LIMIT),
        "counts": [(state, counts.get(state.value, 0)) for state in State],
        # Working states say what is being worked on; this says what readers can open now.
        "live_count": db.session.scalar(select(func.count()).where(Article.live_revision_id.is_not(None))),
        "unassigned": unassigned, "overdue": overdue, "ready": ready, "published": published,
    }


def reviewer_desk(user: User) -> dict:
    queue = db.session.scalars(
        select(Assignment).join(Article, Article.id == Assignment.article_id)
        .options(contains_eager(Assignment.article_row))
        .where(Assignment.reviewer_id == user.id, _active_assignment(), Article.state.in_(OPEN_STATES), _undecided_on_current())
        .order_by(
            (Article.state != State.IN_REVIEW.value),  # what waits on me now comes first
            Assignment.due_date.is_(None), Assignment.due_date, Assignment.assigned_at,
        ).limit(50)
    ).all()
    signed = db.session.execute(
        select(Signature, Article.title).join(Article, Article.id == Signature.article_id)
        .where(Signature.signer_id == user.id).order_by(Signature.id.desc()).limit(20)
    ).all()
    return {"queue": queue, "signed": signed, "today": today_utc()}


def writer_desk(user: User) -> dict:
    drafts = db.session.scalars(
        select(Article).where(Article.author_id == user.id, Article.state.in_(OPEN_STATES + [State.APPROVED.value]))
        .order_by(Article.updated_at.desc()).limit(50)
    ).all()
    sent_back_ids = [a.id for a in drafts if a.state == State.CHANGES_REQUESTED.value]
    requests: dict[int, list] = {i: [] for i in sent_back_ids}
    if sent_back_ids:
        rows = db.session.scalars(
            select(Comment).options(joinedload(Comment.author))
            .where(Comment.article_id.in_(sent_back_ids), Comment.kind == "changes_requested", Comment.resolved_at.is_(None))
            .order_by(Comment.id)
        ).all()
        for comment in rows:
            requests[comment.article_id].append(comment)
    published = db.session.scalars(
        select(Article).where(Article.author_id == user.id, Article.live_revision_id.is_not(None))
        .order_by(Article.published_at.desc()).limit(LIMIT)
    ).all()
    return {"drafts": drafts, "requests": requests, "published": published}


def admin_desk() -> dict:
    """Accounts that locked themselves after repeated failures: each is an alert to look into."""
    locked = db.session.scalars(select(User).where(User.locked_at.is_not(None)).order_by(User.locked_at.desc()).limit(50)).all()
    return {"locked": locked}
