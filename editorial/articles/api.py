"""Articles, revisions, diffs, reviewers and workflow transitions (API.md)."""
from datetime import date
from typing import Annotated, Literal

from flask import request
from pydantic import AwareDatetime, ConfigDict, Field

from editorial.articles import queries
from editorial.core.bounds import utc_time
from editorial.accounts.access import load_access
from editorial.api import api_bp
from editorial.api.helpers import caller, iso, list_body, page_args, raw_json, whole_number
from editorial.api.openapi import documented
from editorial.api.schemas import (
    MAX_ID,
    ArticleOut,
    ArticlePage,
    AsOfOut,
    DiffOut,
    Id,
    RevisionList,
    RevisionOut,
    StateName,
    Version,
)
from editorial.api.serialise import article_detail, article_summary, revision_summary
from editorial.api.validation import Body, PageQuery, Query, parse_body
from editorial.articles.workflow import Action
from editorial.core.errors import NotFound, ValidationError
from editorial.accounts.permissions import require
from editorial.articles import service as article_service
from editorial.reviews import service as review_service
from editorial.articles.workflow import State


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
    q: str | None = Field(None, description="Words in the title or body (the first 200 characters count).")
    assigned_to: Literal["me"] | None = Field(None, description="Only articles the caller reviews.")


class DiffQuery(Query):
    model_config = ConfigDict(populate_by_name=True)

    from_: Annotated[int, Field(ge=0, le=MAX_ID, alias="from", description="Revision number.")]
    to: Annotated[int, Field(ge=0, le=MAX_ID, description="Revision number.")]


class AsOfQuery(Query):
    at: AwareDatetime = Field(description="ISO 8601; without an offset it is read as UTC.")


def viewable(article_id: int, *, for_update: bool = False):
    article = article_service.get_article(article_id, for_update=for_update)
    message = "You cannot see this article."
    if article.live_revision_id is not None:
        message = (f"You are not working on this article; its live page is public at "
                   f"/api/v1/published/{article.slug}.")
    require(caller(), "view_article", load_access(article), message=message)
    return article


def detail(article) -> dict:
    bundle = queries.article_bundle(article)
    return article_detail(article, bundle.current, bundle.live, bundle.assignments, bundle.citations)


def changed(article, status: int = 200) -> tuple[dict, int]:
    """Answer with the changed article, read inside the transaction that changed it (the request
    commits as it answers: unit_of_work), so that no row is read again."""
    return detail(article), status


@api_bp.post("/articles")
@documented("Start an article (a draft, version 1, the caller as author)", body=ArticleCreate, response=ArticleOut, status=201,
            errors=(403,), tag="articles")
def create_article():
    data = parse_body(ArticleCreate)
    article = article_service.create_article(caller(), **data.model_dump())
    return changed(article, 201)


@api_bp.get("/articles")
@documented("List the articles the caller can see", query=ArticleQuery, response=ArticlePage, tag="articles")
def list_articles():
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in State}:
        raise ValidationError("Unknown state.", fields={"state": f"One of: {', '.join(s.value for s in State)}."})
    assigned = request.args.get("assigned_to")
    if assigned not in (None, "", "me"):
        raise ValidationError("Only assigned_to=me is supported.", fields={"assigned_to": "Use 'me'."})
    page, per_page = page_args()
    statement = queries.articles_statement(
        caller(), state=state, q=(request.args.get("q") or "")[:200] or None,
        assigned_to=caller() if assigned == "me" else None,
    )
    return list_body(queries.paginate(statement, page, per_page), article_summary)


@api_bp.get("/articles/<int:article_id>")
@documented("An article", response=ArticleOut, errors=(403,), tag="articles")
def get_article(article_id: int):
    return detail(viewable(article_id))


@api_bp.patch("/articles/<int:article_id>")
@documented("Save a new revision of the title, summary, body and/or topic", body=ArticleEdit, response=ArticleOut,
            errors=(403, 409), tag="articles",
            description="`note` is required once the article has been submitted; 409 `stale_version` when "
                        "`base_version` is not the current version. The topic is content (readers see it): "
                        "changing it is an edit like any other, reviewed before it goes live.")
def edit_article(article_id: int):
    data = parse_body(ArticleEdit)
    article = viewable(article_id, for_update=True)
    article_service.save_revision(
        caller(), article, base_version=data.base_version, title=data.title, summary=data.summary,
        body=data.body, topic=data.topic, note=data.note,
    )
    return changed(article)


@api_bp.get("/articles/<int:article_id>/revisions")
@documented("The revisions of an article, oldest first", response=RevisionList, errors=(403,), tag="revisions")
def list_revisions(article_id: int):
    article = viewable(article_id)
    return raw_json('{"items":' + queries.revision_list_json(article.id) + "}")


@api_bp.get("/articles/<int:article_id>/revisions/<int:number>")
@documented("One revision's full content", response=RevisionOut, errors=(403,), tag="revisions")
def get_revision(article_id: int, number: int):
    article = viewable(article_id)
    revision = article_service.get_revision(article, number)
    return {
        **revision_summary(revision),
        "title": revision.title,
        "summary": revision.summary,
        "body": revision.body,
        "citation_ids": article_service.citation_ids_of(revision),
        "citations": [{"id": c.id, "key": c.key, "formatted": c.formatted}  # in id order, as always listed
                      for c in sorted(revision.citations, key=lambda c: c.id)],
    }


def _revision_number_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not whole_number(raw):
        raise ValidationError(f"{name} must be a revision number.", fields={name: "Expected a whole number."})
    return int(raw)


@api_bp.get("/articles/<int:article_id>/diff")
@documented("A unified diff of two revisions", query=DiffQuery, response=DiffOut, errors=(403,), tag="revisions")
def diff(article_id: int):
    article = viewable(article_id)
    old, new = article_service.revisions_to_compare(article, _revision_number_arg("from"), _revision_number_arg("to"))
    return {"from": old.number, "to": new.number, "unified": article_service.unified_diff(old, new),
            "references": article_service.reference_changes(old, new).as_dict()}


@api_bp.post("/articles/<int:article_id>/reviewers")
@documented("Assign a physician reviewer", body=AssignReviewer, response=ArticleOut, status=201,
            errors=(403, 409), tag="reviews")
def assign_reviewer(article_id: int):
    data = parse_body(AssignReviewer)
    article = viewable(article_id, for_update=True)
    review_service.assign_reviewer(caller(), article, data.user_id, data.due_date)
    return changed(article, 201)


@api_bp.delete("/articles/<int:article_id>/reviewers/<int:user_id>")
@documented("Remove a pending reviewer assignment", response=ArticleOut, errors=(403, 409, 422), tag="reviews")
def remove_reviewer(article_id: int, user_id: int):
    article = viewable(article_id, for_update=True)
    review_service.remove_assignment(caller(), article, user_id)
    return changed(article)


@api_bp.patch("/articles/<int:article_id>/reviewers/me")
@documented("Accept or decline one's own review assignment", body=RespondToAssignment, response=ArticleOut,
            errors=(403, 409), tag="reviews")
def respond(article_id: int):
    data = parse_body(RespondToAssignment)
    article = viewable(article_id, for_update=True)
    review_service.respond(caller(), article, **data.model_dump())
    return changed(article)


@api_bp.post("/articles/<int:article_id>/reviewers/<int:user_id>/waive-conflict")
@documented("Waive a reviewer's declared conflict of interest", body=WaiveConflict, response=ArticleOut,
            errors=(403, 409), tag="reviews")
def waive_conflict(article_id: int, user_id: int):
    data = parse_body(WaiveConflict)
    article = viewable(article_id, for_update=True)
    review_service.waive_conflict(caller(), article, user_id, data.reason)
    return changed(article)


@api_bp.post("/articles/<int:article_id>/transitions")
@documented("Apply a workflow action", body=TransitionRequest, response=ArticleOut,
            errors=(403, 409), tag="articles",
            description="submit, withdraw, approve (needs `password`, the `revision` and `content_hash` being "
                        "signed, 409 `stale_version` when they are no longer current, and a conflict-of-interest "
                        "declaration), request_changes (needs `comment`), publish (not by a signer of the "
                        "revision), unpublish.")
def transition(article_id: int):
    data = parse_body(TransitionRequest)
    article = viewable(article_id, for_update=True)
    article_service.transition(caller(), article, data.action, **data.model_dump(exclude={"action"}))
    return changed(article)


@api_bp.get("/articles/<int:article_id>/as-of")
@documented("The revision that was live at a time", query=AsOfQuery, response=AsOfOut, errors=(403,), tag="audit",
            description="404 when nothing of the article was live then.")
def as_of(article_id: int):
    article = article_service.get_article(article_id)
    require(caller(), "view_as_of", load_access(article), message="Only editors, auditors and admins reconstruct history.")
    raw = request.args.get("at", "")
    try:
        moment = utc_time(raw)
    except ValueError as exc:
        raise ValidationError("at must be an ISO 8601 time.",
                              fields={"at": f"For example 2026-01-31T12:00:00Z ({exc})."}) from None
    revision = article_service.live_revision_at(article, moment)
    if revision is None:
        raise NotFound("Nothing of this article was live at that time.")
    return {
        "at": iso(moment), **revision_summary(revision), "title": revision.title, "summary": revision.summary,
        "body": revision.body, "citation_ids": article_service.citation_ids_of(revision),
    }
