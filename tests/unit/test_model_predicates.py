"""The domain's predicates are written once, beside the models, in a Python form and a SQL form: over
every combination of the facts they read, both forms pick the same rows. And the enum-typed columns
keep the strings the API and the audit trail have always used."""
from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from editorial.core.dates import today_utc
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.reviews.models import Assignment
from editorial.core.model_base import utcnow
from editorial.articles.workflow import Decision, State

VERSION = 2  # every article's current revision: decisions on 1 are on an earlier one


@pytest.fixture
def rows(app, make_user):
    """An article in every state, each with an assignment for every combination of removed, declined,
    decision, decided revision and due date."""
    writer, editor = make_user("writer"), make_user("editor")
    today = today_utc()
    with app.app_context():
        for state in State:
            article = Article(slug=f"predicates-{state}", title=str(state), author_id=writer.id, state=state, version=VERSION)
            db.session.add(article)
            db.session.flush()
            for removed, declined, decision, decided, due in product(
                    (False, True), (False, True), (None, *Decision), (None, 1, VERSION),
                    (None, today - timedelta(days=1), today, today + timedelta(days=1))):
                db.session.add(Assignment(
                    article_id=article.id, reviewer_id=editor.id, assigned_by_id=editor.id, due_date=due,
                    removed_at=utcnow() if removed else None, declined_at=utcnow() if declined else None,
                    decision=decision, decided_revision=decided,
                ))
        db.session.flush()
        db.session.expire_all()  # what follows reads the rows back, as the app does
        yield today


def _sql_ids(condition) -> set[int]:
    return set(db.session.scalars(select(Assignment.id).join(Article, Article.id == Assignment.article_id).where(condition)))


def _python_ids(predicate) -> set[int]:
    pairs = db.session.execute(select(Assignment, Article).join(Article, Article.id == Assignment.article_id)).all()
    return {assignment.id for assignment, article in pairs if predicate(assignment, article)}


def test_an_active_assignment_is_the_same_in_python_and_sql(rows):
    selected = _sql_ids(Assignment.is_active)
    assert selected == _python_ids(lambda a, _article: a.is_active)
    assert 0 < len(selected) < len(_sql_ids(Assignment.id.is_not(None)))


def test_awaiting_a_decision_on_the_current_revision_is_the_same_in_python_and_sql(rows):
    selected = _sql_ids(Assignment.awaits_decision_on(Article.version))
    assert selected == _python_ids(lambda a, article: a.awaits_decision_on(article.version))
    # A decision on an earlier revision, or a voided signature (no decision, revision kept), still awaits one.
    decided_now = _python_ids(lambda a, article: a.decision is not None and a.decided_revision == article.version)
    assert decided_now and not decided_now & selected


def test_an_outstanding_review_is_the_same_in_python_and_sql(rows):
    selected = _sql_ids(Assignment.is_outstanding(Article))
    assert selected == _python_ids(lambda a, article: a.is_outstanding(article))
    assert selected


def test_a_late_review_is_the_same_in_python_and_sql(rows):
    today = rows
    selected = _sql_ids(Assignment.is_late(Article, today))
    assert selected == _python_ids(lambda a, article: a.is_late(article, today))
    assert selected and all(a.due_date < today for a in db.session.scalars(select(Assignment).where(Assignment.id.in_(selected))))


def test_the_open_states_are_the_same_in_python_and_sql(rows):
    articles = db.session.scalars(select(Article).where(Article.slug.like("predicates-%"))).all()
    in_sql = set(db.session.scalars(select(Article.state).where(Article.slug.like("predicates-%"), Article.is_open)))
    assert in_sql == {article.state for article in articles if article.is_open}
    assert in_sql == {State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED}


def test_states_and_decisions_are_enum_members_stored_as_the_same_strings(rows):
    article = db.session.scalars(select(Article).where(Article.slug == "predicates-in_review")).one()
    assert type(article.state) is State and article.state == "in_review"
    assert db.session.execute(text("SELECT state FROM articles WHERE id = :id"), {"id": article.id}).scalar() == "in_review"
    stored = set(db.session.execute(text("SELECT DISTINCT decision FROM assignments WHERE article_id = :id"),
                                    {"id": article.id}).scalars())
    assert stored == {None, "approved", "changes_requested"}
    assert {type(d) for d in db.session.scalars(select(Assignment.decision).where(Assignment.decision.is_not(None)))} == {Decision}


@pytest.mark.parametrize("statement", [
    "UPDATE articles SET state = 'pending' WHERE slug = 'predicates-draft'",
    "UPDATE assignments SET decision = 'signed' WHERE id = (SELECT MIN(id) FROM assignments)",
])
def test_the_database_refuses_any_other_state_or_decision(rows, statement):
    with pytest.raises(IntegrityError, match="(?i)check"):
        with db.session.begin_nested():
            db.session.execute(text(statement))
