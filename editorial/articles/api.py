"""Articles, revisions, diffs, reviewers and workflow transitions (API.md)."""
from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from editorial.accounts.access import load_access
from editorial.accounts.permissions import require
from editorial.api import api_bp
from editorial.api import schemas as api_schemas
from editorial.api.helpers import allowed, caller, raw_json
from editorial.api.openapi import documented
from editorial.api.schemas import Id, Version
from editorial.api.validation import Body, PageQuery, Query, QueryTime, clipped, query_int
from editorial.articles import editing
from editorial.articles import history as article_history
from editorial.articles import queries
from editorial.articles import schemas as articles_schemas
from editorial.articles import transitions
from editorial.articles.schemas import StateName
from editorial.articles.workflow import Action
from editorial.core import reading
from editorial.core.errors import NotFound
from editorial.core.unit_of_work import commit_before_answering
from editorial.reviews import service as review_service


class ArticleCreate(Body):
    title: str
    body: str
    summary: str = ""
    topic: str = ""


class ArticleEdit(Body):
    base_version: Version
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    note: str | None = None
    topic: str | None = None


class AssignReviewer(Body):
    user_id: Id
    due_date: date | None = None

    model_config = {**Body.model_config, "strict": False}  # due_date arrives as an ISO string


class RespondToAssignment(Body):
    accepted: bool
    reason: str | None = None
    conflict_of_interest: str | None = None


class WaiveConflict(Body):
    reason: str


class TransitionRequest(Body):
    action: str = Field(json_schema_extra={"enum": [a.value for a in Action]})
    comment: str | None = None
    password: str | None = None
    revision: Version | None = Field(None, description="approve: the number of the revision the signer read.")
    content_hash: str | None = Field(None, max_length=64, description="approve: that revision's content_hash.")
    conflict_of_interest: str | None = Field(
        None, description='approve: the conflict-of-interest declaration for this article ("none" is one), '
                          "unless it was made when accepting the assignment.")


class ArticleQuery(PageQuery):
    state: StateName | None = None
    q: Annotated[str, clipped(200)] | None = Field(
        None, description="Words in the title or body (the first 200 characters count).")
    assigned_to: Literal["me"] | None = Field(None, description="Only articles the caller reviews.")


class DiffQuery(Query):
    model_config = ConfigDict(populate_by_name=True)

    from_: query_int(alias="from", description="Revision number.")
    to: query_int(description="Revision number.")


class AsOfQuery(Query):
    at: QueryTime = Field(description="ISO 8601; without an offset it is read as UTC.")


def viewable(article_id: int, *, for_update: bool = False, for_edit: bool = False):
    article = article_history.get_article(article_id, for_update=for_update, for_edit=for_edit)
    message = "You cannot see this article."
    if article.live_revision_id is not None:
        message = (f"You are not working on this article; its live page is public at "
                   f"/api/v1/published/{article.slug}.")
    require(caller(), "view_article", load_access(article), message=message)
    return article


def detail(article, access=None) -> articles_schemas.ArticleOut:
    bundle = queries.article_bundle(article, access)
    return articles_schemas.article_detail(article, bundle.current, bundle.live, bundle.assignments, bundle.citations)


def changed(article, status: int = 200) -> tuple[articles_schemas.ArticleOut, int]:
    """Answer with the changed article as the request left it, read after the commit
    (unit_of_work.commit_before_answering), so that no row the change read is read again and no
    write waits while the answer is built; the access facts the change read describe what it
    committed, so they are kept with it. The reviewers are read before the commit (an edit's lock
    does not bring them), so that nothing is read after it but what the answer alone needs."""
    access = load_access(article)
    access.assignments  # read now, under the lock, with the facts the rules read
    commit_before_answering()
    return detail(article, access), status


@api_bp.post("/articles")
@documented(articles_schemas.ArticleOut, 201, errors=(403,), tag="articles")
def create_article(json: ArticleCreate):
    """Start an article (a draft, version 1, the caller as author)"""
    article = editing.create_article(caller(), **json.model_dump())
    return changed(article, 201)


@api_bp.get("/articles")
@documented(articles_schemas.ArticlePage, tag="articles")
def list_articles(query: ArticleQuery):
    """List the articles the caller can see"""
    statement = queries.articles_statement(
        caller(), state=query.state, q=query.q, assigned_to=caller() if query.assigned_to == "me" else None,
    )
    return api_schemas.page_of(articles_schemas.ArticlePage, reading.paginate(statement, query.page, query.per_page),
                             articles_schemas.article_summary)


@api_bp.get("/articles/<int:article_id>")
@documented(articles_schemas.ArticleOut, errors=(403,), tag="articles")
def get_article(article_id: int):
    """An article"""
    return detail(viewable(article_id))


@api_bp.patch("/articles/<int:article_id>")
@documented(articles_schemas.ArticleOut, errors=(403, 409), tag="articles")
def edit_article(article_id: int, json: ArticleEdit):
    """Save a new revision of the title, summary, body and/or topic

    `note` is required once the article has been submitted; 409 `stale_version` when `base_version` is not
    the current version. The topic is content (readers see it): changing it is an edit like any other,
    reviewed before it goes live.
    """
    article = viewable(article_id, for_edit=True)
    editing.save_revision(
        caller(), article, base_version=json.base_version, title=json.title, summary=json.summary,
        body=json.body, topic=json.topic, note=json.note,
    )
    return changed(article)


@api_bp.get("/articles/<int:article_id>/revisions")
@documented(articles_schemas.RevisionList, errors=(403,), tag="revisions", prebuilt=True)
def list_revisions(article_id: int):
    """The revisions of an article, oldest first"""
    article = viewable(article_id)
    return raw_json('{"items":' + queries.revision_list_json(article.id) + "}")


@api_bp.get("/articles/<int:article_id>/revisions/<int:number>")
@documented(articles_schemas.RevisionOut, errors=(403,), tag="revisions")
def get_revision(article_id: int, number: int):
    """One revision's full content"""
    article = viewable(article_id)
    revision = article_history.get_revision(article, number)
    return articles_schemas.revision(revision)


@api_bp.get("/articles/<int:article_id>/diff")
@documented(articles_schemas.DiffOut, errors=(403,), tag="revisions")
def diff(article_id: int, query: DiffQuery):
    """A unified diff of two revisions"""
    article = viewable(article_id)
    old, new = article_history.revisions_to_compare(article, query.from_, query.to)
    return articles_schemas.DiffOut(from_=old.number, to=new.number, unified=article_history.unified_diff(old, new),
                       references=article_history.reference_changes(old, new).as_dict())


@api_bp.post("/articles/<int:article_id>/reviewers")
@documented(articles_schemas.ArticleOut, 201, errors=(403, 409), tag="reviews")
def assign_reviewer(article_id: int, json: AssignReviewer):
    """Assign a physician reviewer"""
    article = viewable(article_id, for_update=True)
    review_service.assign_reviewer(caller(), article, json.user_id, json.due_date)
    return changed(article, 201)


@api_bp.delete("/articles/<int:article_id>/reviewers/<int:user_id>")
@documented(articles_schemas.ArticleOut, errors=(403, 409, 422), tag="reviews")
def remove_reviewer(article_id: int, user_id: int):
    """Remove a pending reviewer assignment"""
    article = viewable(article_id, for_update=True)
    review_service.remove_assignment(caller(), article, user_id)
    return changed(article)


@api_bp.patch("/articles/<int:article_id>/reviewers/me")
@documented(articles_schemas.ArticleOut, errors=(403, 409), tag="reviews")
def respond(article_id: int, json: RespondToAssignment):
    """Accept or decline one's own review assignment"""
    article = viewable(article_id, for_update=True)
    review_service.respond(caller(), article, **json.model_dump())
    return changed(article)


@api_bp.post("/articles/<int:article_id>/reviewers/<int:user_id>/waive-conflict")
@documented(articles_schemas.ArticleOut, errors=(403, 409), tag="reviews")
def waive_conflict(article_id: int, user_id: int, json: WaiveConflict):
    """Waive a reviewer's declared conflict of interest"""
    article = viewable(article_id, for_update=True)
    review_service.waive_conflict(caller(), article, user_id, json.reason)
    return changed(article)


@api_bp.post("/articles/<int:article_id>/transitions")
@documented(articles_schemas.ArticleOut, errors=(403, 409), tag="articles")
def transition(article_id: int, json: TransitionRequest):
    """Apply a workflow action

    submit, withdraw, approve (needs `password`, the `revision` and `content_hash` being signed, 409
    `stale_version` when they are no longer current, and a conflict-of-interest declaration),
    request_changes (needs `comment`), publish (not by a signer of the revision), unpublish.
    """
    article = viewable(article_id, for_update=True)
    transitions.transition(caller(), article, json.action, **json.model_dump(exclude={"action"}))
    return changed(article)


@api_bp.get("/articles/<int:article_id>/as-of")
@allowed("view_as_of", "Only editors, auditors and admins reconstruct history.")
@documented(articles_schemas.AsOfOut, errors=(403,), tag="audit")
def as_of(article_id: int, query: AsOfQuery):
    """The revision that was live at a time

    404 when nothing of the article was live then.
    """
    article = article_history.get_article(article_id)
    revision = article_history.live_revision_at(article, query.at)
    if revision is None:
        raise NotFound("Nothing of this article was live at that time.")
    return articles_schemas.as_of(query.at, revision)
