"""Read-side selects of articles, with explicit eager loading (pagination: core/reading.py)."""
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _json_string  # json.dumps's own escaper

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from editorial.accounts.access import load_access
from editorial.accounts.models import User
from editorial.accounts.permissions import articles_viewable_by
from editorial.articles.models import Article, Revision, RevisionCitation
from editorial.core.extensions import db
from editorial.core.reading import rows_by_id
from editorial.core.sql_time import utc_seconds_text
from editorial.reviews.models import Assignment


def visible_articles(user: User):
    """Articles this user may see in lists and search: permissions.view_article's own SQL form (a
    live article someone does not work on is read on the public site, never its draft title)."""
    return select(Article).where(articles_viewable_by(user))


def articles_statement(user: User, *, state: str | None = None, q: str | None = None,
                       assigned_to: User | None = None, author: User | None = None, live: bool = False):
    """The articles list's statement (newest change first) with its filters."""
    statement = visible_articles(user).options(joinedload(Article.author)).order_by(Article.updated_at.desc(), Article.id.desc())
    if state:
        statement = statement.where(Article.state == state)
    if q:
        statement = statement.where(func.lower(Article.title).like(f"%{q.lower()}%"))
    if assigned_to is not None:
        statement = statement.where(Article.id.in_(
            select(Assignment.article_id).where(Assignment.reviewer_id == assigned_to.id, Assignment.is_active)
        ))
    if author is not None:
        statement = statement.where(Article.author_id == author.id)
    if live:
        statement = statement.where(Article.live_revision_id.is_not(None))
    return statement


def late_reviews(today):
    """Reviews past their due date that reviewers still owe (Assignment.is_late), most overdue first,
    with their reviewers and articles: the editor desk's "overdue" and the attention list's "late reviews"."""
    return (
        select(Assignment).join(Article, Article.id == Assignment.article_id)
        .options(joinedload(Assignment.reviewer), contains_eager(Assignment.article_row))
        .where(Assignment.is_late(Article, today))
        .order_by(Assignment.due_date, Assignment.id)
    )


def assignments_by_article(article_ids: list[int]) -> dict[int, list]:
    """Active and declined assignments (with their reviewers) for many articles in one query."""
    result: dict[int, list] = {article_id: [] for article_id in article_ids}
    if not article_ids:
        return result
    rows = db.session.scalars(
        select(Assignment).options(joinedload(Assignment.reviewer))
        .where(Assignment.article_id.in_(article_ids), Assignment.removed_at.is_(None))
        .order_by(Assignment.id)
    ).all()
    for assignment in rows:
        result[assignment.article_id].append(assignment)
    return result


def revisions_by_id(revision_ids: list[int]) -> dict:
    """Revisions with their authors."""
    found = rows_by_id(Revision, [i for i in revision_ids if i], joinedload(Revision.author))
    for revision in found.values():
        with_author(revision)
    return found


def with_references(*revisions) -> None:
    """Load the ordered reference lists (with their citations) of several revisions in one
    statement, as Revision.citation_links would one revision at a time."""
    wanted = {r.id: [] for r in revisions if "citation_links" not in r.__dict__}
    if not wanted:
        return
    for link in db.session.scalars(select(RevisionCitation).where(RevisionCitation.revision_id.in_(wanted))
                                   .order_by(RevisionCitation.revision_id, RevisionCitation.position)):
        wanted[link.revision_id].append(link)
    for revision in revisions:
        if revision.id in wanted:
            set_committed_value(revision, "citation_links", wanted[revision.id])


def with_author(row) -> None:
    """Set row.author (an article's or a revision's) when it was loaded without it: from the identity
    map when the session holds the user (the caller, usually), else by primary key."""
    if "author" not in row.__dict__:
        set_committed_value(row, "author", db.session.get(User, row.author_id))


def revision_list_json(article_id: int) -> str:
    """Every revision of an article as the API lists it (articles/schemas.revision_summary's shape, which a
    test pins), oldest first, as JSON text. An article may have thousands: plain columns with the
    time formatted by the database, and each line written with the C string escaper json.dumps
    uses, cost a third of ORM objects, datetimes, dicts and json.dumps (or the database's own JSON
    functions on PostgreSQL)."""
    rows = db.session.execute(
        select(Revision.number, utc_seconds_text(Revision.created_at), Revision.note, Revision.content_hash,
               User.id, User.name, User.credentials)
        .join(User, User.id == Revision.author_id).where(Revision.article_id == article_id).order_by(Revision.number)
    )
    return "[" + ",".join(
        f'{{"number":{number},"author":{{"id":{user_id},"name":{_json_string(name)},'
        f'"credentials":{"null" if credentials is None else _json_string(credentials)}}},'
        f'"created_at":{_json_string(created_at)},"note":{_json_string(note)},"content_hash":{_json_string(content_hash)}}}'
        for number, created_at, note, content_hash, user_id, name, credentials in rows
    ) + "]"


@dataclass
class ArticleBundle:
    """Everything a detail page or the API shows about one article, loaded up front."""
    article: object
    current: object
    live: object | None
    assignments: list
    citations: list


def article_bundle(article, access=None) -> ArticleBundle:
    """`access`: the article's access facts, if the caller holds them (read in a transaction that
    has ended since, they are no longer load_access's)."""
    access = access or load_access(article)
    with_author(article)
    revisions = revisions_by_id([article.current_revision_id, article.live_revision_id])
    current = revisions[article.current_revision_id]
    return ArticleBundle(
        article=article,
        current=current,
        live=revisions.get(article.live_revision_id),
        assignments=[a for a in access.assignments if a.removed_at is None],  # as the rules read them
        citations=current.citations,
    )


def live_articles_citing(citation_ids, *, limit: int | None = None, batch: int = 2000) -> dict[int, list[int]]:
    """Live articles whose live revision cites any of these citations (ids, or a select of them),
    newest publication first: {article id: the cited ids among them, in reference order}. One join
    of the live revisions' reference rows on these citations (indexed by citation_id), streamed
    `batch` rows at a time."""
    if not isinstance(citation_ids, Select):
        citation_ids = sorted(set(citation_ids))
        if not citation_ids:
            return {}
    rows = db.session.execute(
        select(Article.id, RevisionCitation.citation_id)
        .join(RevisionCitation, RevisionCitation.revision_id == Article.live_revision_id)
        .where(RevisionCitation.citation_id.in_(citation_ids))
        .order_by(Article.published_at.desc(), Article.id.desc(), RevisionCitation.position)
        .execution_options(yield_per=batch)
    )
    found: dict[int, list[int]] = {}
    for article_id, citation_id in rows:
        if article_id not in found and limit is not None and len(found) >= limit:
            break
        found.setdefault(article_id, []).append(citation_id)
    rows.close()
    return found
