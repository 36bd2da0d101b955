"""Domain objects as the API's response models (schemas.py; API.md's shapes)."""
import json

from editorial.api import schemas as s
from editorial.articles.models import Article, Revision
from editorial.reviews.models import Assignment
from editorial.audit.models import AuditEvent
from editorial.citations.models import Citation
from editorial.accounts.models import User
from editorial.core.reading import Page
from editorial.citations import service as citation_service


def page_of(model: type[s.PageOut], page: Page, serialise) -> s.PageOut:
    """One page of a list in the list envelope `model`, each item through `serialise`."""
    return model(items=[serialise(item) for item in page.items], page=page.page, per_page=page.per_page,
                 total=page.total)


def user_brief(user: User) -> s.UserBrief:
    return s.UserBrief(id=user.id, name=user.name, credentials=user.credentials)


def me(user: User) -> s.MeOut:
    return s.MeOut(id=user.id, email=user.email, name=user.name, roles=[role.value for role in user.sorted_roles])


def user_full(user: User) -> s.UserOut:
    return s.UserOut(
        id=user.id, email=user.email, name=user.name, roles=[role.value for role in user.sorted_roles],
        active=user.is_active_account, credentials=user.credentials, specialty=user.specialty,
        affiliation=user.affiliation, disclosure=user.disclosure, credential_valid_until=user.credential_valid_until,
    )


def assignment(assignment: Assignment, version: int) -> s.ReviewerAssignmentOut:
    return s.ReviewerAssignmentOut(
        user=user_brief(assignment.reviewer),
        status=assignment.status_for(version),
        decided_revision=assignment.decided_revision,
        due_date=assignment.due_date,
        accepted=assignment.accepted_at is not None,
        conflict_of_interest=assignment.declaration,
        conflict_waived=assignment.conflict_waived_at is not None,
    )


def citation_brief(citation: Citation) -> s.CitationBrief:
    return s.CitationBrief(id=citation.id, key=citation.key, formatted=citation.formatted, retracted=citation.retracted)


def revision_summary(revision: Revision) -> s.RevisionSummaryOut:
    return s.RevisionSummaryOut(**_revision_summary_fields(revision))


def _revision_summary_fields(revision: Revision) -> dict:
    return {"number": revision.number, "author": user_brief(revision.author), "created_at": revision.created_at,
            "note": revision.note, "content_hash": revision.content_hash}


def revision(revision: Revision) -> s.RevisionOut:
    return s.RevisionOut(
        **_revision_summary_fields(revision), title=revision.title, summary=revision.summary, body=revision.body,
        citation_ids=revision.citation_ids,
        citations=[s.RevisionCitation(id=c.id, key=c.key, formatted=c.formatted)  # in id order, as always listed
                   for c in sorted(revision.citations, key=lambda c: c.id)],
    )


def as_of(moment, revision: Revision) -> s.AsOfOut:
    return s.AsOfOut(at=moment, **_revision_summary_fields(revision), title=revision.title, summary=revision.summary,
                     body=revision.body, citation_ids=revision.citation_ids)


def _article_summary_fields(article: Article) -> dict:
    return {
        "id": article.id, "slug": article.slug, "title": article.title, "topic": article.topic,
        "state": article.state, "version": article.version, "author": user_brief(article.author),
        "updated_at": article.updated_at, "live": article.live_revision_id is not None,
    }


def article_summary(article: Article) -> s.ArticleSummaryOut:
    return s.ArticleSummaryOut(**_article_summary_fields(article))


def article_detail(article: Article, current: Revision, live: Revision | None, assignments: list[Assignment],
                   citations: list[Citation]) -> s.ArticleOut:
    return s.ArticleOut(
        **_article_summary_fields(article),
        summary=current.summary,
        body=current.body,
        current_revision=s.CurrentRevisionOut(number=current.number, content_hash=current.content_hash,
                                              author=user_brief(current.author), created_at=current.created_at),
        live_revision=None if live is None else s.LiveRevisionOut(
            number=live.number, content_hash=live.content_hash, published_at=article.published_at),
        reviewers=[assignment(a, article.version) for a in assignments],
        citations=[citation_brief(c) for c in citations],
        last_reviewed_at=article.last_reviewed_at,
        next_review_due=article.next_review_due,
    )


def _citation_fields(citation: Citation) -> dict:
    data = citation_service.data_of(citation)
    return {
        "id": citation.id,
        "key": citation.key,
        "type": citation.type,
        "title": citation.title,
        "authors": [s.AuthorOut(family=a.family, given=a.given, suffix=a.suffix or None) for a in data.authors],
        "org_author": data.org_author or None,
        "container_title": citation.container_title,
        "year": citation.year,
        "volume": data.volume or None,
        "issue": data.issue or None,
        "pages": data.pages or None,
        "doi": citation.doi,
        "pmid": citation.pmid,
        "url": citation.url,
        "editors": [s.EditorOut(family=a.family, given=a.given, suffix=a.suffix) for a in data.editors],
        "publisher": data.publisher or None,
        "edition": data.edition or None,
        "genre": data.genre or None,
        "report_number": data.report_number or None,
        "published": data.published,
        "accessed": data.accessed,
        "formatted": citation.formatted,
        "retracted": citation.retracted,
        "retraction_note": citation.retraction_note,
        "incomplete": bool(citation.missing),
        "missing": citation.missing_parts,
        "created_at": citation.created_at,
    }


def citation(citation: Citation) -> s.CitationOut:
    return s.CitationOut(**_citation_fields(citation))


def citation_created(citation: Citation, created: bool) -> s.CitationCreatedOut:
    return s.CitationCreatedOut(**_citation_fields(citation), created=created)


def import_report(report) -> s.ImportReportOut:
    return s.ImportReportOut(
        created=[citation(c) for c in report.created],
        reused=[citation(c) for c in report.reused],
        rejected=[s.RejectedRecord(record=label, errors=errors) for label, errors in report.rejected],
        warnings=[s.ImportWarning(record=label, warnings=messages) for label, messages in report.warnings],
    )


def audit_event(event: AuditEvent) -> s.AuditEventOut:
    return s.AuditEventOut(
        id=event.id, at=event.at,
        actor=s.ActorOut(id=event.actor_id, name=event.actor_name) if event.actor_id else None,
        action=event.action, object_type=event.object_type, object_id=event.object_id, article_id=event.article_id,
        revision_number=event.revision_number, from_state=event.from_state, to_state=event.to_state,
        detail=json.loads(event.detail), hash=event.hash, prev_hash=event.prev_hash,
    )


def verify_report(report) -> s.VerifyOut:
    return s.VerifyOut(ok=report.ok, checked=report.checked, first_broken_id=report.first_broken_id,
                       checkpoints=report.checkpoints, problem=report.problem)


def published_page(page) -> s.PublishedPageOut:
    """GET /api/v1/published/{slug} (API.md), plus slug, topic and each reviewer's disclosure."""
    return s.PublishedPageOut(
        slug=page.slug, topic=page.topic, title=page.title, summary=page.summary, body_html=str(page.body_html),
        byline=page.byline,
        reviewed_by=[
            s.ReviewedBy(name=r.name, credentials=r.credentials, specialty=r.specialty, affiliation=r.affiliation,
                         approved_at=r.approved_at, disclosure=r.disclosure,
                         conflict_of_interest=r.conflict_of_interest, declared_after_approval=r.declared_after_approval)
            for r in page.reviewers
        ],
        references=[r.text for r in page.references],
        published_at=page.published_at, last_reviewed_at=page.last_reviewed_at,
        revision_number=page.revision_number, content_hash=page.content_hash,
    )
