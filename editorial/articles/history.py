"""An article's revisions as stored: loading them, their content hash, the text and references
a diff compares, and which revision was live at a moment (the auditors' as-of)."""
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import joinedload, with_expression

from editorial.accounts.access import lock_article
from editorial.articles import diffing
from editorial.articles.currency_models import Topic
from editorial.articles.models import Article, Revision, RevisionCitation
from editorial.articles.queries import with_references
from editorial.audit.models import AuditEvent
from editorial.core.errors import NotFound
from editorial.core.extensions import db
from editorial.reviews.models import Signature


def content_hash(title: str, summary: str, body: str, citation_ids: list[int]) -> str:
    """SHA-256 of the canonical serialisation of what readers would see (API.md)."""
    canonical = json.dumps(
        {"title": title, "summary": summary, "body": body, "citation_ids": list(citation_ids)},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def revision_hash(revision: Revision) -> str:
    # With its reference list (and the citation records): whoever checks a hash then shows the references.
    return content_hash(revision.title, revision.summary, revision.body, revision.citation_ids)


def citation_ids_of(revision: Revision | None) -> list[int]:
    """The revision's ordered reference ids: from its loaded reference list, else as plain ids (a
    save and a content hash need no citation records: loading them with the links cost a save 1 ms)."""
    if revision is None:
        return []
    if "citation_links" in revision.__dict__ or revision.id is None:
        return revision.citation_ids
    if "_citation_ids" not in revision.__dict__:  # a revision never changes: read once per loaded row
        revision.__dict__["_citation_ids"] = list(db.session.scalars(
            select(RevisionCitation.citation_id).where(RevisionCitation.revision_id == revision.id)
            .order_by(RevisionCitation.position)))
    return list(revision.__dict__["_citation_ids"])


_topic_interval = select(Topic.review_interval_months).where(Topic.name == Article.topic).scalar_subquery()
_WITH_TOPIC_INTERVAL = with_expression(Article.topic_review_interval_months, _topic_interval)  # made once, as its statement


def get_article(article_id: int, *, for_update: bool = False, for_edit: bool = False) -> Article:
    """The article, locked for the rest of the transaction when it is about to change. A change
    reads the current revision, the access facts and the topic's review interval (publishing sets
    the next review), and its answer names the author: all come in the same read (access.lock_article).
    An edit of the text (`for_edit`, which implies the lock) reads the revision and the author alone."""
    if for_edit:
        article = lock_article(article_id, with_access=False)
    elif for_update:
        article = lock_article(article_id, _WITH_TOPIC_INTERVAL)
    else:
        article = db.session.scalar(select(Article).where(Article.id == article_id))
    if article is None:
        raise NotFound("No such article.")
    return article


def current_revision(article: Article) -> Revision:
    return db.session.get(Revision, article.current_revision_id)


def get_revision(article: Article, number: int) -> Revision:
    revision = db.session.scalar(
        select(Revision).options(joinedload(Revision.author))
        .where(Revision.article_id == article.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound(f"Revision {number} does not exist.")
    return revision


def revisions_to_compare(article: Article, old_number: int, new_number: int) -> tuple[Revision, Revision]:
    """Two revisions of an article for a diff, both reference lists read in one statement."""
    old, new = get_revision(article, old_number), get_revision(article, new_number)
    with_references(old, new)
    return old, new


def signers_of(signature_ids) -> list[str]:
    """"Printed name, credentials" of these signatures, oldest first, one per signer."""
    if not signature_ids:
        return []
    rows = db.session.execute(
        select(Signature.signer_id, Signature.printed_name, Signature.credentials)
        .where(Signature.id.in_(list(signature_ids))).order_by(Signature.id)
    )
    by_signer = {}
    for signer_id, name, credentials in rows:
        by_signer[signer_id] = f"{name}, {credentials}" if credentials else name
    return list(by_signer.values())


def revision_text(revision: Revision) -> str:
    """A revision as one text for diffs: title, topic and summary (when there are), body, and its
    ordered citations (when there are any)."""
    parts = [f"# {revision.title}", f"Topic: {revision.topic}" if revision.topic else "", revision.summary.strip(),
             revision.body.strip()]
    ids = citation_ids_of(revision)
    if ids:
        parts.append(f"References (citation ids, in order): {', '.join(map(str, ids))}")
    return "\n\n".join(part for part in parts if part) + "\n"


def reference_changes(old: Revision, new: Revision) -> diffing.ReferenceChanges:
    """References added, removed and moved from one revision to another (each list read with its citations)."""
    return diffing.reference_changes(old.citations, new.citations)


def unified_diff(old: Revision, new: Revision) -> str:
    return diffing.unified(revision_text(old), revision_text(new), f"revision {old.number}", f"revision {new.number}")


def live_revision_at(article: Article, moment) -> Revision | None:
    """What readers saw at a moment, reconstructed from the publication events of the audit trail."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.article_id == article.id,
            AuditEvent.action.in_(["article.publish", "article.unpublish"]),
            AuditEvent.at <= moment,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None or event.action == "article.unpublish":
        return None
    return get_revision(article, event.revision_number)
