"""What the permission rules need to know about one article: the article itself, its reviewer
assignments and who has written a revision of it. The last two are read when a rule first asks:
an editor's or the author's request usually never does."""
from functools import cached_property

from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload

from editorial.core.extensions import db, transaction_scoped
from editorial.articles.models import Article, Revision
from editorial.reviews.models import Assignment, Signature
from editorial.accounts.models import User


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
            select(Assignment).where(Assignment.article_id == self.article.id)
            .options(joinedload(Assignment.reviewer)).order_by(Assignment.id)
        ))

    @cached_property
    def revision_author_ids(self) -> set[int]:
        return set(db.session.scalars(select(Revision.author_id).where(Revision.article_id == self.article.id).distinct()))

    @cached_property
    def current_signatures(self) -> list[tuple[int, int, str | None]]:
        """(signature id, signer id, the conflict declared with it) of every approval signature on the
        current revision's stored content hash, oldest first: who signed, for the rules, and what
        counts, for the workflow (services.articles), from one read."""
        return [tuple(row) for row in db.session.execute(
            select(Signature.id, Signature.signer_id, Signature.conflict_of_interest)
            .join(Revision, Revision.id == Signature.revision_id)
            .where(Signature.revision_id == self.article.current_revision_id,
                   Signature.content_hash == Revision.content_hash, Signature.meaning == "approval")
            .order_by(Signature.id)
        )]

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
