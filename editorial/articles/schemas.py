"""The articles API's answers (articles, revisions, diffs, as-of, reviewers): the response models
and the functions that build them."""
from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from editorial.accounts.schemas import UserBrief, user_brief
from editorial.api.schemas import Out, PageOut, Sha256, Timestamp
from editorial.articles.models import Article, Revision
from editorial.articles.workflow import State
from editorial.citations.models import Citation
from editorial.reviews.models import Assignment, AssignmentStatus

# The workflow's states and an assignment's status, written inline in the document from their one
# list (the enums).
StateName = Literal[tuple(State)]  # type: ignore[valid-type]
ReviewStatus = Literal[tuple(AssignmentStatus)]  # type: ignore[valid-type]


class ReviewerAssignmentOut(Out):
    user: UserBrief
    status: ReviewStatus
    decided_revision: int | None
    due_date: date | None
    accepted: bool
    conflict_of_interest: str | None = Field(
        description='The declaration for this article: a statement, "none", or null before one is made.')
    conflict_waived: bool


class CitationBrief(Out):
    id: int
    key: str
    formatted: str
    retracted: bool


class CurrentRevisionOut(Out):
    number: int
    content_hash: Sha256
    author: UserBrief
    created_at: Timestamp


class LiveRevisionOut(Out):
    number: int
    content_hash: Sha256
    published_at: Timestamp | None


class ArticleSummaryOut(Out):
    id: int
    slug: str
    title: str
    topic: str
    state: StateName
    version: int
    author: UserBrief
    updated_at: Timestamp | None
    live: bool = Field(description="True while a revision of the article is live.")


class ArticleOut(ArticleSummaryOut):
    summary: str
    body: str = Field(description="Markdown, exactly as saved.")
    current_revision: CurrentRevisionOut
    live_revision: LiveRevisionOut | None
    reviewers: list[ReviewerAssignmentOut]
    citations: list[CitationBrief] = Field(description="In the article's order.")
    last_reviewed_at: Timestamp | None
    next_review_due: date | None


class ArticlePage(PageOut):
    items: list[ArticleSummaryOut]


class RevisionSummaryOut(Out):
    number: int
    author: UserBrief
    created_at: Timestamp
    note: str | None
    content_hash: Sha256


class RevisionList(Out):
    items: list[RevisionSummaryOut]


class RevisionCitation(Out):
    id: int
    key: str
    formatted: str


class RevisionOut(RevisionSummaryOut):
    title: str
    summary: str
    body: str
    citation_ids: list[int]
    citations: list[RevisionCitation]


class ReferencePlaced(RevisionCitation):
    position: int = Field(description="The reference number (from 1): where it was added, or where it was removed from.")


class ReferenceMoved(RevisionCitation):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    from_: int = Field(alias="from", description="Its reference number before.")
    to: int = Field(description="Its reference number after.")


class ReferenceChangesOut(Out):
    added: list[ReferencePlaced]
    removed: list[ReferencePlaced]
    moved: list[ReferenceMoved] = Field(
        description="Kept references whose order among the kept ones changed (one only renumbered by an "
                    "addition or removal around it is not moved).")


class DiffOut(Out):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    from_: int = Field(alias="from")
    to: int
    unified: str = Field(description="A unified diff of the two revisions.")
    references: ReferenceChangesOut | None = Field(
        default=None, description="References added, removed and moved, by their formatted text (AMA style) and key.")


class AsOfOut(RevisionSummaryOut):
    at: Timestamp
    title: str
    summary: str
    body: str
    citation_ids: list[int]


def assignment(assignment: Assignment, version: int) -> ReviewerAssignmentOut:
    return ReviewerAssignmentOut(
        user=user_brief(assignment.reviewer),
        status=assignment.status_for(version),
        decided_revision=assignment.decided_revision,
        due_date=assignment.due_date,
        accepted=assignment.accepted_at is not None,
        conflict_of_interest=assignment.declaration,
        conflict_waived=assignment.conflict_waived_at is not None,
    )


def citation_brief(citation: Citation) -> CitationBrief:
    return CitationBrief(id=citation.id, key=citation.key, formatted=citation.formatted, retracted=citation.retracted)


def revision_summary(revision: Revision) -> RevisionSummaryOut:
    return RevisionSummaryOut(**_revision_summary_fields(revision))


def _revision_summary_fields(revision: Revision) -> dict:
    return {"number": revision.number, "author": user_brief(revision.author), "created_at": revision.created_at,
            "note": revision.note, "content_hash": revision.content_hash}


def revision(revision: Revision) -> RevisionOut:
    return RevisionOut(
        **_revision_summary_fields(revision), title=revision.title, summary=revision.summary, body=revision.body,
        citation_ids=revision.citation_ids,
        citations=[RevisionCitation(id=c.id, key=c.key, formatted=c.formatted)  # in id order, as always listed
                   for c in sorted(revision.citations, key=lambda c: c.id)],
    )


def as_of(moment, revision: Revision) -> AsOfOut:
    return AsOfOut(at=moment, **_revision_summary_fields(revision), title=revision.title, summary=revision.summary,
                     body=revision.body, citation_ids=revision.citation_ids)


def _article_summary_fields(article: Article) -> dict:
    return {
        "id": article.id, "slug": article.slug, "title": article.title, "topic": article.topic,
        "state": article.state, "version": article.version, "author": user_brief(article.author),
        "updated_at": article.updated_at, "live": article.live_revision_id is not None,
    }


def article_summary(article: Article) -> ArticleSummaryOut:
    return ArticleSummaryOut(**_article_summary_fields(article))


def article_detail(article: Article, current: Revision, live: Revision | None, assignments: list[Assignment],
                   citations: list[Citation]) -> ArticleOut:
    return ArticleOut(
        **_article_summary_fields(article),
        summary=current.summary,
        body=current.body,
        current_revision=CurrentRevisionOut(number=current.number, content_hash=current.content_hash,
                                              author=user_brief(current.author), created_at=current.created_at),
        live_revision=None if live is None else LiveRevisionOut(
            number=live.number, content_hash=live.content_hash, published_at=article.published_at),
        reviewers=[assignment(a, article.version) for a in assignments],
        citations=[citation_brief(c) for c in citations],
        last_reviewed_at=article.last_reviewed_at,
        next_review_due=article.next_review_due,
    )
