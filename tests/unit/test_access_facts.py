"""The access facts behind every permission check are read once per article and request, and read
again after anything changes (a stale fact would let someone act who may not)."""
from editorial.access import load_access
from editorial.extensions import db
from editorial.models import Article, Assignment


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
