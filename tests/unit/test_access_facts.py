"""The access facts behind every permission check are read once per article and request, and read
again after anything changes (a stale fact would let someone act who may not)."""
from sqlalchemy import select

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

    from editorial.articles.history import get_article

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


def test_the_locked_read_gives_the_facts_and_people_a_read_of_each_would(app, newsroom, count_queries):
    """get_article(for_update=True) reads the access facts in the article's own statement
    (access.lock_article): the same assignments, authors and signatures as a read of each, with
    every assignment's reviewer and assigning editor and their roles, so that the rules and the
    approval's recipients need no statement more. The author is assigned too here: a person loaded
    twice in the one read keeps their roles."""
    from editorial.accounts.access import ArticleAccess
    from editorial.accounts.models import User
    from editorial.accounts.permissions import can
    from editorial.accounts.roles import Role
    from editorial.articles.history import get_article
    from editorial.notifications.service import approval_recipients

    n = newsroom
    article_id = n.create()["id"]
    with app.app_context():
        for reviewer in (n.reviewer, n.writer, n.reviewer2):
            db.session.add(Assignment(article_id=article_id, reviewer_id=reviewer.id, assigned_by_id=n.editor.id))
        db.session.flush()
        read_one_by_one = ArticleAccess(db.session.get(Article, article_id))
        expected = ([a.id for a in read_one_by_one.assignments], read_one_by_one.revision_author_ids,
                    read_one_by_one.current_signatures)
        roles = {user.id: user.roles for user in db.session.scalars(select(User))}
        db.session.expunge_all()

        article = get_article(article_id, for_update=True)
        with count_queries() as counted:
            access = load_access(article)
            assert ([a.id for a in access.assignments], access.revision_author_ids, access.current_signatures) == expected
            for assignment in access.assignments:
                assert assignment.reviewer.roles == roles[assignment.reviewer_id]
                assert assignment.assigned_by.roles == roles[n.editor.id] == {Role.EDITOR}
            reviewer = db.session.get(User, n.reviewer.id)
            assert can(reviewer, "approve", access) and not can(reviewer, "publish", access)
            assert [u.id for u in approval_recipients(access)] == [n.editor.id]
        assert counted.count == 0


def test_the_locked_read_names_only_this_articles_revision_authors(app, newsroom):
    """Who wrote a revision of *this* article (a writer may not sign what they wrote): another
    article's authors are not this one's, and the read uses the article's own rows."""
    from editorial.articles.history import get_article

    n = newsroom
    article_id = n.create()["id"]
    other = n.call("POST", "/articles", n.editor, {"title": "Another page", "body": "Text."})
    assert other.status_code == 201
    with app.app_context():
        article = get_article(article_id, for_update=True)
        assert load_access(article).revision_author_ids == {n.writer.id}
        db.session.rollback()
