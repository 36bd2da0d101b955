"""The API's response models (and shared field types): what the views answer, and what the
OpenAPI document says they answer (openapi.py).

The views build these models (serialise.py) and spectree serialises them, so the description
cannot drift from what is sent; an answer built any other way is validated against the model of
its status. Models forbid unknown fields for the same reason: a new key in a response must be
added here.
"""
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from editorial.api.helpers import iso
from editorial.articles.workflow import State
from editorial.audit.hashing import format_time
from editorial.core.bounds import MAX_ID
from editorial.reviews.models import AssignmentStatus

# The workflow's states and an assignment's status, written inline in the document from their one
# list (the enums).
StateName = Literal[tuple(State)]  # type: ignore[valid-type]
ReviewStatus = Literal[tuple(AssignmentStatus)]  # type: ignore[valid-type]

# Database ids and version numbers are 32-bit integers; larger values in a path are 404.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=0, le=MAX_ID)]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
# API.md: times are ISO 8601 in UTC with a Z, to the second (a naive time from the database is UTC).
Timestamp = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json"),
                      WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]
# An audit event's time to the microsecond: the very text its hash covers.
HashedTime = Annotated[datetime, PlainSerializer(format_time, return_type=str, when_used="json"),
                       WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)


# --- Errors ------------------------------------------------------------------------------

class ErrorDetail(Out):
    code: str = Field(description="Machine-readable: bad_request, unauthorized, forbidden, reauthentication_failed, "
                                  "not_found, method_not_allowed, stale_version, invalid_transition, too_large, invalid…")
    message: str
    fields: dict[str, str] | None = Field(None, description="Only for validation errors: field name → problem.")


class ErrorOut(Out):
    """The one error envelope of the API."""

    error: ErrorDetail


# --- People ------------------------------------------------------------------------------

class MeOut(Out):
    id: int
    email: str
    name: str
    roles: list[str]


class UserBrief(Out):
    id: int
    name: str
    credentials: str | None


class UserOut(Out):
    id: int
    email: str
    name: str
    roles: list[str]
    active: bool
    credentials: str | None
    specialty: str | None
    affiliation: str | None
    disclosure: str | None
    credential_valid_until: date | None


class PageOut(Out):
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=100)
    total: int = Field(ge=0)


class UserPage(PageOut):
    items: list[UserOut]


# --- Articles ----------------------------------------------------------------------------

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


# --- Citations ---------------------------------------------------------------------------

class AuthorOut(Out):
    family: str
    given: str
    suffix: str | None = Field(None, exclude_if=lambda suffix: suffix is None, description="Only when there is one.")


class EditorOut(Out):
    family: str
    given: str
    suffix: str


class CitationOut(Out):
    id: int
    key: str
    type: str
    title: str
    authors: list[AuthorOut]
    org_author: str | None
    container_title: str | None
    year: int | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    url: str | None
    editors: list[EditorOut] = []
    publisher: str | None = None
    edition: str | None = None
    genre: str | None = None
    report_number: str | None = None
    published: date | None = None
    accessed: date | None = None
    formatted: str = Field(description="AMA style (11th edition).")
    retracted: bool
    retraction_note: str | None
    incomplete: bool = Field(False, description="Imported without parts AMA needs; `missing` lists them.")
    missing: list[str] = []
    created_at: Timestamp | None


class CitationCreatedOut(CitationOut):
    created: bool = Field(description="False when an existing record (same DOI, PMID, or title and year) was reused.")


class CitationPage(PageOut):
    items: list[CitationOut]


class RejectedRecord(Out):
    record: str
    errors: dict[str, str]


class ImportWarning(Out):
    record: str
    warnings: list[str]


class ImportReportOut(Out):
    created: list[CitationOut] = Field(description="Incomplete records among them have `incomplete` true.")
    reused: list[CitationOut]
    rejected: list[RejectedRecord]
    warnings: list[ImportWarning] = []


# --- Audit -------------------------------------------------------------------------------

class ActorOut(Out):
    id: int
    name: str


class AuditEventOut(Out):
    id: int
    at: HashedTime
    actor: ActorOut | None
    action: str
    object_type: str
    object_id: str | None
    article_id: int | None
    revision_number: int | None
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]
    hash: Sha256
    prev_hash: Sha256


class AuditPage(PageOut):
    items: list[AuditEventOut]


class VerifyOut(Out):
    ok: bool
    checked: int
    first_broken_id: int | None
    checkpoints: int = Field(description="Signed checkpoints the chain was checked against.")
    problem: str | None = Field(description="What is wrong at first_broken_id.")


# --- The public page ---------------------------------------------------------------------

class ReviewedBy(Out):
    name: str
    credentials: str
    specialty: str | None
    affiliation: str | None
    approved_at: Timestamp | None
    disclosure: str
    conflict_of_interest: str | None = Field(description="Declared for this article, and waived, before signing.")
    declared_after_approval: str | None = Field(
        description="A conflict of interest declared for this article after signing; the page is being reviewed again.")


class PublishedPageOut(Out):
    slug: str
    topic: str
    title: str
    summary: str
    body_html: str = Field(description="The live revision's Markdown, rendered and sanitised.")
    byline: str
    reviewed_by: list[ReviewedBy]
    references: list[str] = Field(description="AMA style, in order of first citation.")
    published_at: Timestamp | None
    last_reviewed_at: Timestamp | None
    revision_number: int
    content_hash: Sha256
