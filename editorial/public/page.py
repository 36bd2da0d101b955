"""The read side of the public site: what readers see of a published article.

Only the *live* revision is ever shown (articles.live_revision_id): a newer working draft,
an approval in progress or an archived article never reaches readers. One page is
assembled with a fixed number of queries, whatever the number of reviewers or references:

1. the article by slug, joined with its live revision and its author;
2. the article's latest publication record in the audit trail, with the checkpoint signed in its
   transaction: it must have published exactly that revision and names the signatures that
   approved it;
3. those approval signatures, on exactly that content (their profile snapshots are what readers
   see as "Medically reviewed by", so a later profile edit rewrites nothing);
4. the revision's citations.

The page fails closed: a live text that no longer matches its content hash, a live pointer that no
publication record accounts for, or a missing signature gives readers "temporarily unavailable"
(503), records `public_page.withheld` and alerts the administrators (report_withheld).

A miscased slug answers 301 to the lowercase one (one more query, only on a miss).

Also here: the topic index, schema.org JSON-LD, and the in-memory limiter for anonymous
'Was this helpful?' votes.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import nh3
from markupsafe import Markup, escape
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from editorial.articles.models import Article, Revision
from editorial.articles.rendering import clean_input, inline_citation_keys, render_body
from editorial.audit import chain as audit
from editorial.audit import hashing as chain_hash
from editorial.audit.models import AuditCheckpoint, AuditEvent
from editorial.citations.models import Citation
from editorial.core.clock import now
from editorial.core.extensions import db
from editorial.reviews.declarations import says_nothing_to_declare
from editorial.reviews.models import Assignment, Signature

log = logging.getLogger(__name__)

NONE_DECLARED = "None declared"
UNFILED_TOPIC = "Other health topics"
ALL_ARTICLES = "All articles"


# --- The page --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewerLine:
    name: str
    credentials: str
    specialty: str | None
    affiliation: str | None
    approved_at: datetime
    disclosure: str  # as signed, or NONE_DECLARED
    conflict_of_interest: str | None  # declared for this article (and waived by an editor)
    # A conflict the reviewer declared for this article after signing (their signature no longer
    # counts for a new publication; the editors are told to start a re-review).
    declared_after_approval: str | None = None


@dataclass(frozen=True)
class Reference:
    number: int
    key: str
    html: Markup  # AMA style, sanitised
    text: str  # AMA style, plain
    cited_inline: bool
    retracted: bool


@dataclass
class PublicPage:
    article_id: int
    slug: str
    topic: str
    title: str
    summary: str
    body_html: Markup
    byline: str
    reviewers: list[ReviewerLine]
    references: list[Reference]
    published_at: datetime | None
    last_reviewed_at: datetime | None
    next_review_due: date | None
    revision_number: int
    content_hash: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Resolution:
    """What a slug means: a page, a redirect to its lowercase form, or nothing (None)."""

    page: PublicPage | None = None
    redirect_to: str | None = None
    withheld: Withheld | None = None


def _well_formed_slug(slug) -> bool:
    """Whether `slug` could name a page at all: control characters (a NUL would even be refused by
    PostgreSQL) and overlong text never do."""
    return isinstance(slug, str) and 0 < len(slug) <= 200 and clean_input(slug) == slug


def resolve(slug: str) -> Resolution | None:
    """The live page for this slug, a redirect for a miscased slug, or None (404)."""
    if not _well_formed_slug(slug):
        return None
    article = live_article_by_slug(slug)
    if article is not None:
        try:
            return Resolution(page=build_page(article))
        except Withheld as withheld:
            report_withheld(withheld)
            return Resolution(withheld=withheld)
    if slug.lower() != slug and _is_live(slug.lower()):
        return Resolution(redirect_to=slug.lower())
    return None


def live_slug(slug: str) -> str | None:
    """The slug of the live article that `slug` names, as it is or lowercased; None for any other input."""
    if not _well_formed_slug(slug):
        return None
    return next((candidate for candidate in dict.fromkeys((slug, slug.lower())) if _is_live(candidate)), None)


def _is_live(slug: str) -> bool:
    return db.session.scalar(
        select(Article.id).where(Article.slug == slug, Article.live_revision_id.is_not(None))) is not None


def resolve_live_article(slug: str) -> Article | None:
    """The live article under exactly this (current) slug, or None; safe for any input."""
    return live_article_by_slug(slug) if _well_formed_slug(slug) else None


def live_article_by_slug(slug: str) -> Article | None:
    return db.session.scalar(
        select(Article)
        .options(joinedload(Article.live_revision), joinedload(Article.author))
        .where(Article.slug == slug, Article.live_revision_id.is_not(None))
    )


class Withheld(Exception):
    """The live revision cannot be shown as approved: readers get 'temporarily unavailable'."""

    def __init__(self, article: Article, reason: str):
        super().__init__(reason)
        self.article_id = article.id
        self.revision_number = article.live_revision.number if article.live_revision else None
        self.reason = reason


def _published_signatures(article: Article, live: Revision) -> list[tuple[Signature, str | None]]:
    """The approval signatures readers are shown, or Withheld. A page is served only when:

    - its text matches its content hash;
    - the article's latest publication record published exactly this revision, this content hash
      and this topic, and is itself intact (its hash recomputed from its content);
    - that record is the head of a checkpoint signed with the audit key, which the database never
      holds, so a publication forged by inserting rows (the app's own role may insert) fails here
      (records older than the installation's first checkpoint are accepted on the rest);
    - the signatures the record names are all there, on exactly this content.
    """
    from editorial.articles.history import revision_hash

    if revision_hash(live) != live.content_hash:
        raise Withheld(article, "the live text does not match its content hash")
    # The record with the checkpoint made in its transaction, if any, in one statement.
    record = db.session.execute(
        select(*audit.hashable_columns(), AuditCheckpoint)
        .outerjoin(AuditCheckpoint, AuditCheckpoint.event_id == AuditEvent.id)
        .where(AuditEvent.article_id == article.id, AuditEvent.action.in_(["article.publish", "article.unpublish"]))
        .order_by(AuditEvent.id.desc(), AuditCheckpoint.id).limit(1)
    ).first()
    if record is None or record.action != "article.publish" or record.revision_number != live.number:
        raise Withheld(article, "no publication record for the live revision")
    if chain_hash.hash_of(record.at, *(getattr(record, name) for name in chain_hash.HASHED_FIELDS)) != record.hash:
        raise Withheld(article, "the publication record does not match its hash")
    detail = json.loads(record.detail)
    if detail.get("content_hash") != live.content_hash or detail.get("topic", live.topic) != live.topic:
        raise Withheld(article, "the live revision is not the content its publication record names")
    _check_publication_is_signed(article, record)
    named = detail.get("signatures")
    # Each signature with what its signer declares for this article now (one statement).
    statement = select(Signature, Assignment.conflict_of_interest).outerjoin(Assignment, and_(
        Assignment.article_id == Signature.article_id, Assignment.reviewer_id == Signature.signer_id,
        Assignment.removed_at.is_(None),
    )).where(
        Signature.revision_id == live.id, Signature.content_hash == live.content_hash, Signature.meaning == "approval")
    if named is not None:
        statement = statement.where(Signature.id.in_(named))
    rows = db.session.execute(statement.order_by(Signature.signed_at, Signature.id)).all()
    if not rows or (named is not None and len(rows) != len(set(named))):
        raise Withheld(article, "the approval signatures for the live revision are missing")
    if named is None:  # published before publications named their signatures: each signer's latest
        rows = sorted({row[0].signer_id: row for row in rows}.values(), key=lambda row: (row[0].signed_at, row[0].id))
    return rows


def _check_publication_is_signed(article: Article, record) -> None:
    from editorial.audit import checkpoints

    checkpoint = record.AuditCheckpoint
    if checkpoint is None:
        signed_before = db.session.scalar(select(AuditCheckpoint.id).where(AuditCheckpoint.event_id < record.id).limit(1))
        if signed_before is not None:
            raise Withheld(article, "the publication record carries no signed checkpoint")
        return  # published before this installation signed its first checkpoint
    key = checkpoints.trusted_public_keys().get(checkpoint.key_id)
    if checkpoint.event_hash != record.hash or key is None or not checkpoints.signature_ok(checkpoints.as_dict(checkpoint), key):
        raise Withheld(article, "the publication record's checkpoint does not verify")


def build_page(article: Article) -> PublicPage:
    """Assemble the page of an article loaded by live_article_by_slug (three more queries, a fourth
    for a publication older than the first checkpoint), or raise Withheld when it cannot be shown
    as what the named experts approved."""
    live: Revision = article.live_revision
    reviewers = [
        ReviewerLine(
            name=signature.printed_name, credentials=signature.credentials, specialty=signature.specialty,
            affiliation=signature.affiliation, approved_at=signature.signed_at,
            disclosure=disclosure_text(signature.disclosure), conflict_of_interest=signature.conflict_of_interest or None,
            declared_after_approval=display_text(declared_now)
            if declared_now and declared_now != signature.conflict_of_interest else None,
        )
        for signature, declared_now in _published_signatures(article, live)
    ]

    attached = live.citations  # read with the hash check's ids, in one statement
    numbers, inline = reference_numbers(live.body, attached)
    rendered = render_body(live.body, numbers)
    references = sorted(
        (Reference(number=numbers[c.key], key=c.key, html=reference_html(c), text=reference_text(c),
                   cited_inline=c.key in inline, retracted=bool(c.retracted))
         for c in attached),
        key=lambda r: r.number,
    )
    return PublicPage(
        article_id=article.id, slug=article.slug, topic=display_text(live.topic), title=display_text(live.title),
        summary=display_text(live.summary), body_html=Markup(rendered.html), byline=article.author.name,
        reviewers=reviewers, references=references, published_at=article.published_at,
        last_reviewed_at=article.last_reviewed_at, next_review_due=article.next_review_due,
        revision_number=live.number, content_hash=live.content_hash,
    )


# An alert per withheld revision and reason at most this often, however many readers ask.
WITHHELD_ALERT_INTERVAL = timedelta(hours=1)


def report_withheld(withheld: Withheld) -> None:
    """Record that a page was withheld and alert the administrators, in a transaction of its own:
    the reader's request only reads (unit_of_work.on_its_own)."""
    from editorial.core.unit_of_work import on_its_own
    from editorial.notifications import service as notifications

    log.error("Withheld article %s revision %s from readers: %s", withheld.article_id, withheld.revision_number,
              withheld.reason)
    detail = {"reason": withheld.reason}

    def recently_recorded() -> bool:
        return db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.article_id == withheld.article_id, AuditEvent.action == "public_page.withheld",
                AuditEvent.revision_number == withheld.revision_number, AuditEvent.at >= now() - WITHHELD_ALERT_INTERVAL,
                AuditEvent.detail == chain_hash.canonical_json(detail),
            ).limit(1)
        ) is not None

    if recently_recorded():  # in the page's own read: most readers of a withheld page stop here
        return
    # The reader still gets the 503 when this fails; the log line above says why.
    with on_its_own("Could not record the withheld page of article %s", withheld.article_id):
        if not recently_recorded():  # again under the write lock: two readers at once record it once
            audit.record("public_page.withheld", actor=None, object_type="article", object_id=withheld.article_id,
                         article_id=withheld.article_id, revision_number=withheld.revision_number, detail=detail)
            notifications.page_withheld(withheld.article_id, withheld.revision_number, withheld.reason)


def reference_numbers(body: str, citations: list[Citation]) -> tuple[dict[str, int], set[str]]:
    """Numbers in order of first inline appearance, then the uncited rest in list order."""
    by_key = {c.key: c for c in citations}
    order: list[str] = [key for key in inline_citation_keys(body) if key in by_key]
    inline = set(order)
    order += [c.key for c in citations if c.key not in inline]
    return {key: n for n, key in enumerate(dict.fromkeys(order), start=1)}, inline


def disclosure_text(disclosure: str | None) -> str:
    if says_nothing_to_declare(disclosure):
        return NONE_DECLARED
    return display_text(disclosure.strip())


def display_text(text: str | None) -> str:
    """Text as readers see it: control characters removed (it is escaped by the templates)."""
    return clean_input(text or "")


_REFERENCE_TAGS = {"em", "i", "strong", "b", "sup", "sub", "a", "span"}


def reference_html(citation: Citation) -> Markup:
    """The AMA reference as HTML. The formatter escapes already; nh3 is the second lock."""
    if citation.formatted_html:
        return Markup(nh3.clean(
            clean_input(citation.formatted_html), tags=_REFERENCE_TAGS, attributes={"a": {"href"}},
            url_schemes={"http", "https"}, link_rel="nofollow noopener", strip_comments=True,
        ))
    return Markup(escape(reference_text(citation)))


def reference_text(citation: Citation) -> str:
    return display_text(citation.formatted or citation.title)


# --- Machine-readable metadata ---------------------------------------------------------

def json_for_html(data) -> Markup:
    """JSON that is safe inside <script type="application/ld+json">: <, >, & and the JS line
    separators are \\u-escaped, so no text can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


def iso_z(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def json_ld(page: PublicPage, url: str) -> dict:
    """schema.org MedicalWebPage for the page (https://schema.org/MedicalWebPage)."""
    reviewers = []
    for r in page.reviewers:
        person = {"@type": "Person", "name": r.name, "honorificSuffix": r.credentials}
        if r.specialty:
            person["jobTitle"] = r.specialty
        if r.affiliation:
            person["affiliation"] = {"@type": "Organization", "name": r.affiliation}
        reviewers.append(person)
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": page.title,
        "headline": page.title,
        "description": page.summary,
        "inLanguage": "en",
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "author": {"@type": "Person", "name": page.byline},
        "datePublished": iso_z(page.published_at),
        "lastReviewed": page.last_reviewed_at.date().isoformat() if page.last_reviewed_at else None,
        "reviewedBy": reviewers,
        "citation": [r.text for r in page.references],
        "version": page.revision_number,
    }
    if page.topic:
        data["keywords"] = page.topic
    return {k: v for k, v in data.items() if v not in (None, "")}


# --- The topic index -------------------------------------------------------------------

@dataclass(frozen=True)
class IndexEntry:
    slug: str
    title: str
    summary: str
    last_reviewed_at: datetime | None


def published_by_topic() -> list[tuple[str, list[IndexEntry]]]:
    """Every live article (its live title and summary), grouped by topic: one query."""
    rows = db.session.execute(
        select(Article.slug, Revision.topic, Revision.title, Revision.summary, Article.last_reviewed_at)
        .join(Revision, Revision.id == Article.live_revision_id)
        .where(Article.live_revision_id.is_not(None))
    ).all()
    groups: dict[str, list[IndexEntry]] = {}
    for slug, topic, title, summary, reviewed in rows:
        groups.setdefault((topic or "").strip(), []).append(
            IndexEntry(slug=slug, title=display_text(title), summary=display_text(summary), last_reviewed_at=reviewed)
        )
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", item[0].casefold()))
    unfiled = UNFILED_TOPIC if len(ordered) > 1 else ALL_ARTICLES
    return [(display_text(topic) or unfiled, sorted(entries, key=lambda e: (e.title.casefold(), e.slug)))
            for topic, entries in ordered]


__all__ = [
    "PublicPage", "Reference", "ReviewerLine", "Resolution", "build_page", "json_for_html", "json_ld",
    "live_slug", "published_by_topic", "resolve",
]
