"""What the permission rules need to know about one article: the article itself, its reviewer
assignments and who has written a revision of it. The last two are read when a rule first asks (an
editor's or the author's request usually never does), or with the article when it is locked for a
change (lock_article), which nearly always asks."""
from functools import cache, cached_property

from sqlalchemy import JSON, bindparam, event, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload
from sqlalchemy.sql.functions import GenericFunction

from editorial.core.extensions import db, transaction_scoped
from editorial.articles.models import Article, Revision
from editorial.reviews.models import Assignment, Signature
from editorial.accounts.models import User, UserRole


class json_rows(GenericFunction):
    """An aggregate: the rows of its arguments as one JSON list of lists (NULL over no rows on
    PostgreSQL, [] on SQLite), so that a list of small facts rides in one column of another read."""
    type = JSON()
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


def _revision_authors(article_id):
    """Who wrote a revision of the article: [[user id], ...]."""
    authors = select(Revision.author_id).where(Revision.article_id == article_id).distinct().subquery()
    return select(json_rows(authors.c.author_id))


def _current_signatures(revision_id):
    """[[signature id, signer id, conflict declared with it], ...] of every approval signature on the
    current revision's stored content hash."""
    return (select(json_rows(Signature.id, Signature.signer_id, Signature.conflict_of_interest))
            .join(Revision, Revision.id == Signature.revision_id)
            .where(Signature.revision_id == revision_id, Signature.content_hash == Revision.content_hash,
                   Signature.meaning == "approval"))


def _author_ids(rows) -> set[int]:
    return {author_id for (author_id,) in rows or ()}


def _signatures(rows) -> list[tuple[int, int, str | None]]:
    return sorted(tuple(row) for row in rows or ())  # oldest (lowest id) first


# An assignment is read with its reviewer and the editor who assigned it, with their roles (is that
# editor still a senior editor, to be told when every reviewer signed; the reviewer is often the
# caller, whose roles the rules read).
_WITH_PEOPLE = (joinedload(Assignment.reviewer).joinedload(User.role_rows),
                joinedload(Assignment.assigned_by).joinedload(User.role_rows))


class ArticleAccess:
    def __init__(self, article: Article, *, assignments: list[Assignment] | None = None,
                 revision_author_ids: set[int] | None = None,
                 current_signatures: list[tuple[int, int, str | None]] | None = None):
        self.article = article
        # Facts given here (tests, say) are not read from the database.
        if assignments is not None:
            self.__dict__["assignments"] = assignments
        if revision_author_ids is not None:
            self.__dict__["revision_author_ids"] = revision_author_ids
        if current_signatures is not None:
            self.__dict__["current_signatures"] = current_signatures

    @cached_property
    def assignments(self) -> list[Assignment]:
        return list(db.session.scalars(
            select(Assignment).where(Assignment.article_id == self.article.id).options(*_WITH_PEOPLE)
            .order_by(Assignment.id)
        ).unique())

    @cached_property
    def revision_author_ids(self) -> set[int]:
        return _author_ids(db.session.scalar(_revision_authors(self.article.id)))

    @cached_property
    def current_signatures(self) -> list[tuple[int, int, str | None]]:
        """(signature id, signer id, the conflict declared with it) of every approval signature on the
        current revision's stored content hash, oldest first: who signed, for the rules, and what
        counts, for the workflow (articles.transitions), from one read."""
        return _signatures(db.session.scalar(_current_signatures(self.article.current_revision_id)))

    @property
    def current_signer_ids(self) -> set[int]:
        """Who holds an approval signature on the current revision's exact content."""
        return {signer_id for _, signer_id, _ in self.current_signatures}

    def add_signature(self, signature: Signature, signed_before: list[tuple[int, int, str | None]]) -> None:
        """This request signed the current revision's content (flushed, so the flush forgot the
        signatures read before it, `signed_before`): the rules and counts see it without reading
        the signatures again."""
        self.current_signatures = [*signed_before, (signature.id, signature.signer_id, signature.conflict_of_interest)]

    def assignment_of(self, user: User) -> Assignment | None:
        """The user's assignment that has not been removed (a declined one still counts here)."""
        for assignment in self.assignments:
            if assignment.reviewer_id == user.id and assignment.removed_at is None:
                return assignment
        return None

    @property
    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.is_active]

    def __repr__(self) -> str:
        return f"ArticleAccess(article={self.article.id}, read={sorted(k for k in self.__dict__ if k != 'article')})"


_MEMO = transaction_scoped("article_access")


def load_access(article: Article) -> ArticleAccess:
    """The article's access facts, the same object for the whole request until the session next
    writes: a write request's view checks access and then its service checks again, and both must
    see the same facts without reading them twice. A commit or rollback forgets them, and a flush the
    facts it may have changed (_forget_what_a_flush_changed); pending changes are flushed first, so
    that the facts read later describe them."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()
    memo = session.info.setdefault(_MEMO, {})
    if article.id not in memo:
        memo[article.id] = ArticleAccess(article)
    return memo[article.id]


@cache
def _locked_with_access():
    """lock_article's joined read, built once: its construction (a dozen joins, two subqueries and
    the eager-loading options) cost about 3 ms of Python a write when made afresh each time, and
    aliases made per call cost a new column proxy each, for which the ORM built its row processors again."""
    reviewer, assigner = aliased(User, name="reviewer"), aliased(User, name="assigner")
    reviewer_roles, assigner_roles = aliased(UserRole, name="reviewer_roles"), aliased(UserRole, name="assigner_roles")
    article_id = bindparam("locked_article_id")
    return (
        select(Article, Revision, User, Assignment,
               _revision_authors(article_id).scalar_subquery(),  # the id itself: a derived table cannot correlate
               _current_signatures(Article.current_revision_id).scalar_subquery())
        .where(Article.id == article_id)
        .outerjoin(Revision, Revision.id == Article.current_revision_id).join(User, User.id == Article.author_id)
        .outerjoin(Assignment, Assignment.article_id == Article.id)
        .outerjoin(reviewer, reviewer.id == Assignment.reviewer_id)
        .outerjoin(reviewer_roles, reviewer_roles.user_id == reviewer.id)
        .outerjoin(assigner, assigner.id == Assignment.assigned_by_id)
        .outerjoin(assigner_roles, assigner_roles.user_id == assigner.id)
        .options(contains_eager(Assignment.reviewer.of_type(reviewer)).contains_eager(reviewer.role_rows.of_type(reviewer_roles)),
                 contains_eager(Assignment.assigned_by.of_type(assigner)).contains_eager(assigner.role_rows.of_type(assigner_roles)))
        .order_by(Assignment.id)
        .with_for_update(of=Article).execution_options(populate_existing=True)
    )


def lock_article(article_id: int, *options, with_access: bool = True) -> Article | None:
    """The article locked for the rest of the transaction and read afresh (another writer's commit
    may have been waited for), with what a change of it reads, in one statement: its current
    revision and author, and its access facts (the assignments with their people, who wrote a
    revision, the current signatures), which load_access then gives for the transaction. The
    assignments are joined, a row each (and one per role of their people): an article has a few.
    `options` load more of the article. Without `with_access` (an edit of the text, whose rules
    ask only who the author is) the facts are read when a rule first asks, and the lock is a
    plain one: the joined read costs a write that never asks about 1.3 ms."""
    if not with_access:
        row = db.session.execute(
            select(Article, Revision).where(Article.id == article_id)
            .outerjoin(Revision, Revision.id == Article.current_revision_id)
            .options(*options).with_for_update(of=Article).execution_options(populate_existing=True)
        ).first()
        if row is None:
            return None
        # The author by identity: usually the signed-in writer, already loaded with their roles, which
        # a join refreshed with populate_existing would discard (and read again, a statement a save).
        db.session.get(User, row[0].author_id)
        return row[0]
    rows = db.session.execute(
        _locked_with_access().options(*options), {"locked_article_id": article_id}
    ).unique(lambda row: row[3]).all()  # one row per assignment (the JSON columns are unhashable)
    if not rows:
        return None
    article, _, _, _, author_rows, signature_rows = rows[0]
    memo = db.session().info.setdefault(_MEMO, {})
    memo[article.id] = ArticleAccess(
        article, assignments=[row[3] for row in rows if row[3] is not None],
        revision_author_ids=_author_ids(author_rows), current_signatures=_signatures(signature_rows))
    return article


def _forget_access(session) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "after_flush")
def _forget_what_a_flush_changed(session, _flush_context) -> None:
    """An assignment added or removed, a revision written, a signature or an article's current
    revision changed: the facts read from those rows are read again. Rows updated in place (an
    assignment's decision, a reviewer's account) are the very objects the facts hold."""
    memo = session.info.get(_MEMO)
    if not memo:
        return
    added_or_deleted = {type(row) for row in (*session.new, *session.deleted)}
    updated = {type(row) for row in session.dirty}
    stale = set()
    if Assignment in added_or_deleted:
        stale.add("assignments")
    if Revision in added_or_deleted:
        stale |= {"revision_author_ids", "current_signatures"}
    if (Signature in added_or_deleted | updated) or Article in updated:
        stale.add("current_signatures")
    for access in memo.values():
        for name in stale:
            access.__dict__.pop(name, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_access_when_rows_are_read_again(state) -> None:
    """A statement that writes outside the unit of work (no flush follows it), or that reads rows
    afresh (populate_existing: get_article's lock, which may have waited for another writer's
    commit) makes facts read before it as stale as the rows it replaced."""
    if not state.is_select or state.execution_options.get("populate_existing"):
        _forget_access(state.session)
