"""Who may see an article is one rule with two forms: permissions.view_article, asked of one article,
and permissions.articles_viewable_by, the SQL that lists and search use. For every role and every
way of being related to an article, over articles in every state, both select the same articles."""
import pytest
from sqlalchemy import select

from editorial.accounts.access import ArticleAccess
from editorial.core.extensions import db
from editorial.articles.models import Article, Revision
from editorial.reviews.models import Assignment
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.accounts.permissions import articles_viewable_by, can
from editorial.accounts.roles import Role
from editorial.articles.workflow import State

RELATIONS = ("author", "revision_author", "assigned_reviewer", "declined_reviewer", "removed_reviewer", "unrelated")
SEES_THEIR_OWN = {"author", "revision_author", "assigned_reviewer", "declined_reviewer"}


def _articles(author_id: int, label: str) -> list[Article]:
    articles = [Article(slug=f"visibility-{label}-{state}", title=f"{label} {state}", author_id=author_id,
                        state=state, version=1) for state in State]
    db.session.add_all(articles)
    db.session.flush()
    return articles


def _relate(user: User, articles: list[Article], relation: str, editor: User) -> None:
    for article in articles:
        if relation == "revision_author":
            db.session.add(Revision(article_id=article.id, number=1, title=article.title, author_id=user.id,
                                    content_hash="0" * 64))
        elif relation.endswith("_reviewer"):
            db.session.add(Assignment(
                article_id=article.id, reviewer_id=user.id, assigned_by_id=editor.id,
                declined_at=utcnow() if relation == "declined_reviewer" else None,
                removed_at=utcnow() if relation == "removed_reviewer" else None,
            ))


@pytest.mark.parametrize("role", list(Role))
def test_the_sql_form_selects_exactly_the_articles_the_rule_allows(app, make_user, role):
    people = {relation: make_user(role.value) for relation in RELATIONS}
    writer, editor = make_user("writer"), make_user("editor")
    with app.app_context():
        editor = db.session.get(User, editor.id)
        others = _articles(writer.id, "others")  # articles nobody in `people` is related to
        theirs = {}
        for relation, person in people.items():
            person = people[relation] = db.session.get(User, person.id)
            theirs[relation] = _articles(person.id if relation == "author" else writer.id, relation)
            _relate(person, theirs[relation], relation, editor)
        db.session.flush()
        everything = others + [article for articles in theirs.values() for article in articles]
        ids = [article.id for article in everything]

        for relation, person in people.items():
            by_rule = {a.id for a in everything if can(person, "view_article", ArticleAccess(a))}
            by_sql = set(db.session.scalars(select(Article.id).where(articles_viewable_by(person), Article.id.in_(ids))))
            assert by_sql == by_rule, relation
            # And the rule is the one stated: editorial roles see everything, others what they work on.
            if role in (Role.EDITOR, Role.AUDITOR, Role.ADMIN):
                assert by_rule == set(ids), relation
            else:
                assert by_rule == ({a.id for a in theirs[relation]} if relation in SEES_THEIR_OWN else set()), relation
