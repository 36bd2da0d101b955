"""How domain objects look in JSON (API.md's shapes)."""
from editorial.api.helpers import iso
from editorial.articles.models import Article, Revision
from editorial.reviews.models import Assignment
from editorial.citations.models import Citation
from editorial.accounts.models import User


def user_brief(user: User) -> dict:
    return {"id": user.id, "name": user.name, "credentials": user.credentials}


def user_full(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": [role.value for role in user.sorted_roles],
        "active": user.is_active_account,
        "credentials": user.credentials,
        "specialty": user.specialty,
        "affiliation": user.affiliation,
        "disclosure": user.disclosure,
        "credential_valid_until": user.credential_valid_until.isoformat() if user.credential_valid_until else None,
    }


def assignment_json(assignment: Assignment, version: int) -> dict:
    return {
        "user": user_brief(assignment.reviewer),
        "status": assignment.status_for(version),
        "decided_revision": assignment.decided_revision,
        "due_date": assignment.due_date.isoformat() if assignment.due_date else None,
        "accepted": assignment.accepted_at is not None,
        "conflict_of_interest": assignment.declaration,
        "conflict_waived": assignment.conflict_waived_at is not None,
    }


def citation_brief(citation: Citation) -> dict:
    return {"id": citation.id, "key": citation.key, "formatted": citation.formatted, "retracted": citation.retracted}


def revision_summary(revision: Revision) -> dict:
    return {
        "number": revision.number,
        "author": user_brief(revision.author),
        "created_at": iso(revision.created_at),
        "note": revision.note,
        "content_hash": revision.content_hash,
    }


def article_summary(article: Article) -> dict:
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "topic": article.topic,
        "state": article.state,
        "version": article.version,
        "author": user_brief(article.author),
        "updated_at": iso(article.updated_at),
        "live": article.live_revision_id is not None,
    }


def article_detail(article: Article, current: Revision, live: Revision | None, assignments: list[Assignment],
                   citations: list[Citation]) -> dict:
    return {
        **article_summary(article),
        "summary": current.summary,
        "body": current.body,
        "current_revision": {
            "number": current.number,
            "content_hash": current.content_hash,
            "author": user_brief(current.author),
            "created_at": iso(current.created_at),
        },
        "live_revision": None if live is None else {
            "number": live.number, "content_hash": live.content_hash, "published_at": iso(article.published_at),
        },
        "reviewers": [assignment_json(a, article.version) for a in assignments],
        "citations": [citation_brief(c) for c in citations],
        "last_reviewed_at": iso(article.last_reviewed_at),
        "next_review_due": article.next_review_due.isoformat() if article.next_review_due else None,
    }
