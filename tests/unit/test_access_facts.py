"""The access facts behind every permission check are read once per article and request, and read
again after anything changes (a stale fact would let someone act who may not)."""
from editorial.accounts.access import load_access
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.reviews.models import Assignment


def test_access_facts_are_read_once_until_something_changes(app, newsroom):
    n = newsroom
    article_id = n.create()["id"]
    with app.app_context():
        article = db.session.get(Article, article_id)
        first = load_access(article)
        assert load_access(article) is first and first.assignments == []

        db.session.add(Assignment(article_id=article_id, reviewer_id=n.reviewer.id, assigned_by_id=n.editor.id))
        pending = load_access(article)  # not flushed yet: read again, which flushes it
        assert [a.reviewer_id for a in pending.assignments] == [n.reviewer.id]
        assert load_access(article) is pending

        db.session.rollback()
        article = db.session.get(Article, article_id)
        assert load_access(article).assignments == []  # the rollback undid it, and the facts say so


def test_a_savepoint_rolled_back_takes_its_facts_with_it(app, newsroom):
    n = newsroom
    article_id = n.create()["id"]
    with app.app_context():
        article = db.session.get(Article, article_id)
        nested = db.session.begin_nested()
        db.session.add(Assignment(article_id=article_id, reviewer_id=n.reviewer.id, assigned_by_id=n.editor.id))
        assert [a.reviewer_id for a in load_access(article).assignments] == [n.reviewer.id]
        nested.rollback()
        assert load_access(article).assignments == []


def test_facts_are_read_again_after_a_write_behind_the_unit_of_work_or_a_lock(app, newsroom):
    """Rows written by a bulk statement, or by another transaction a lock waited for (simulated here
    on the test's one connection, which the session does not see), must not be hidden by facts read
    before them."""
    from sqlalchemy import insert

    from editorial.articles.service import get_article

    n = newsroom
    article_id = n.create()["id"]
    row = {"article_id": article_id, "assigned_by_id": n.editor.id}
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert load_access(article).assignments == []
        db.session.execute(insert(Assignment).values(reviewer_id=n.reviewer.id, **row))
        assert [a.reviewer_id for a in load_access(article).assignments] == [n.reviewer.id]

        db.session.connection().execute(insert(Assignment).values(reviewer_id=n.reviewer2.id, **row))
        article = get_article(article_id, for_update=True)
        assert {a.reviewer_id for a in load_access(article).assignments} == {n.reviewer.id, n.reviewer2.id}
