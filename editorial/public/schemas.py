"""The public website's answer (GET /published/{slug}): the response model and the function that
builds it."""

from pydantic import Field

from editorial.api.schemas import Out, Sha256, Timestamp


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


def published_page(page) -> PublishedPageOut:
    """GET /api/v1/published/{slug} (API.md), plus slug, topic and each reviewer's disclosure."""
    return PublishedPageOut(
        slug=page.slug, topic=page.topic, title=page.title, summary=page.summary, body_html=str(page.body_html),
        byline=page.byline,
        reviewed_by=[
            ReviewedBy(name=r.name, credentials=r.credentials, specialty=r.specialty, affiliation=r.affiliation,
                         approved_at=r.approved_at, disclosure=r.disclosure,
                         conflict_of_interest=r.conflict_of_interest, declared_after_approval=r.declared_after_approval)
            for r in page.reviewers
        ],
        references=[r.text for r in page.references],
        published_at=page.published_at, last_reviewed_at=page.last_reviewed_at,
        revision_number=page.revision_number, content_hash=page.content_hash,
    )
