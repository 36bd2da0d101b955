"""Writing an article: creating it and saving each edit (title, summary, body, topic and the
ordered references) as one new immutable, hashed revision."""
from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import select

from editorial.accounts.access import load_access
from editorial.accounts.models import User
from editorial.accounts.permissions import require
from editorial.articles.history import citation_ids_of, content_hash, current_revision, get_revision
from editorial.articles.models import Article, Revision, RevisionCitation
from editorial.articles.readability import assess
from editorial.articles.rendering import MAX_RENDER_COST, inline_citation_keys, render_body, render_cost
from editorial.articles.schedules import void_pending
from editorial.articles.workflow import State, edit_leads_to
from editorial.audit import chain as audit
from editorial.citations.models import Citation
from editorial.core.bounds import is_id
from editorial.core.errors import StaleVersion, ValidationError
from editorial.core.extensions import db
from editorial.core.model_base import utcnow
from editorial.core.validation import FieldErrors, clean_text
from editorial.core.wording import and_list

MAX_TITLE = 300


MAX_SUMMARY = 2_000


MAX_BODY = 200_000  # characters; documented in the README


MAX_NOTE = 2_000


MAX_TOPIC = 120


def _clean_content(errors: FieldErrors, *, title, summary, body, required: bool):
    """Title, summary and body as typed (only the title is trimmed); None where not given."""
    cleaned = {}
    if title is not None or required:
        cleaned["title"] = clean_text(errors, "title", title, max_length=MAX_TITLE, required=True)
    for name, value, limit in (("summary", summary, MAX_SUMMARY), ("body", body, MAX_BODY)):
        if value is None and not required:
            continue
        value = "" if value is None else value
        if not isinstance(value, str):
            errors.add(name, f"{name.capitalize()} must be text.")
        elif "\x00" in value:
            errors.add(name, f"{name.capitalize()} cannot contain a null character.")
        elif len(value) > limit:
            errors.add(name, f"{name.capitalize()} must be at most {limit:,} characters.")
        elif name == "body" and render_cost(value) > MAX_RENDER_COST:
            # Rendering time follows the parts a body makes, not its length (editorial/articles/rendering.py).
            errors.add(name, f"The body has too many parts to show quickly (about {render_cost(value):,}; at most "
                             f"{MAX_RENDER_COST:,}): table cells, list items, headings, links. Split a long table "
                             "or list, or move part of it into another article.")
        else:
            cleaned[name] = value  # kept exactly as typed
    return cleaned


# Words the desk's own URLs use under /articles/: readers' pages moved to /health/<slug>, and the
# old address /articles/<slug> of a slug that is neither these nor all digits (ids) answers 301.
RESERVED_SLUGS = {"new"}


def _unique_slug(title: str) -> str:
    """A URL slug from any Unicode title; never all digits (ids) or reserved, never used before."""
    base = slugify(title, max_length=80, word_boundary=True) or "article"
    if base.isdigit() or base in RESERVED_SLUGS:
        base = f"article-{base}"
    taken = set(db.session.scalars(select(Article.slug).where(Article.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_article(actor: User, *, title, body, summary="", topic="") -> Article:
    """A new article in draft, version 1, with the actor as author."""
    require(actor, "create_article", message="Only writers and editors start articles.")
    errors = FieldErrors()
    content = _clean_content(errors, title=title, summary=summary, body=body, required=True)
    topic = clean_text(errors, "topic", topic, max_length=MAX_TOPIC) or ""
    errors.raise_if_any()

    article = Article(
        slug=_unique_slug(content["title"]), topic=topic, author_id=actor.id, state=State.DRAFT,
        version=0, title=content["title"],
    )
    db.session.add(article)
    db.session.flush()
    audit.record("article.created", actor=actor, object_type="article", object_id=article.id, article_id=article.id,
                 to_state=State.DRAFT, detail={"slug": article.slug, "topic": topic})
    append_revision(actor, article, content["title"], content["summary"], content["body"], [], topic=topic,
                     note="Created", changed=["title", "summary", "body"])
    return article


def append_revision(actor, article, title, summary, body, citation_ids, *, topic: str, note: str,
                     changed: list[str]) -> Revision:
    """Write the next immutable revision and make it current."""
    number = article.version + 1
    revision = Revision(
        article_id=article.id, number=number, title=title, summary=summary, body=body, topic=topic,
        note=note or "", author_id=actor.id, content_hash=content_hash(title, summary, body, citation_ids),
        citation_links=[RevisionCitation(position=position, citation_id=citation_id)
                        for position, citation_id in enumerate(citation_ids)],
    )
    db.session.add(revision)
    db.session.flush()
    from_state = article.state
    article.version = number
    article.current_revision_id = revision.id
    article.title = title
    article.topic = topic
    article.updated_at = utcnow()
    if number > 1:
        article.state = edit_leads_to(article.state)
    db.session.flush()
    if number > 1:
        void_pending(actor, article, "publish", f"revision {number} replaced the approved revision")
    audit.record(
        "revision.saved", actor=actor, object_type="revision", object_id=revision.id, article_id=article.id,
        revision_number=number, from_state=from_state, to_state=article.state,
        detail={"fields": changed, "content_hash": revision.content_hash, "topic": topic, "note": note or ""},
    )
    return revision


def _edit(actor: User, article: Article, *, base_version, note, title, summary, body, citation_ids, topic,
          changed_hint=None) -> Revision:
    """The one path for every change of content: checks, then a new revision."""
    access = load_access(article)
    require(actor, "edit_article", access, message="Only the author or an editor can change this article.")
    if isinstance(base_version, bool) or not isinstance(base_version, int):
        raise ValidationError("base_version is required.", fields={"base_version": "Send the version your edit is based on."})
    if base_version != article.version:
        raise StaleVersion(
            f"Someone saved version {article.version} after the version {base_version} you edited.", article.version
        )
    edit_leads_to(article.state)  # refuses edits while in review

    errors = FieldErrors()
    note = clean_text(errors, "note", note, max_length=MAX_NOTE)
    if article.ever_submitted and not note:
        errors.add("note", "Say why you are changing it: a change note is required once an article has been submitted.")
    errors.raise_if_any("The change was not saved.")

    current = current_revision(article)
    new = {"title": title, "summary": summary, "body": body, "citation_ids": citation_ids, "topic": topic}
    old = {"title": current.title, "summary": current.summary, "body": current.body,
           "citation_ids": citation_ids_of(current), "topic": current.topic}
    changed = changed_hint or [name for name in new if new[name] != old[name]]
    if not changed:
        raise ValidationError("Nothing changed: the text, topic and citations are the same as the current version.")
    revision = append_revision(actor, article, title, summary, body, citation_ids, topic=topic, note=note or "",
                                changed=changed)
    return revision


def save_revision(actor: User, article: Article, *, base_version, title=None, summary=None, body=None, topic=None,
                  note=None, citation_ids=None) -> Revision:
    """Save an edit of title, summary, body, topic and/or the ordered reference list as one new
    revision (optimistic locking on base_version). The topic is content: readers see it, so it is
    reviewed like the title. References added or removed are audited as attaching and detaching are."""
    errors = FieldErrors()
    content = _clean_content(errors, title=title, summary=summary, body=body, required=False)
    if topic is not None:
        topic = clean_text(errors, "topic", topic, max_length=MAX_TOPIC) or ""
    current = current_revision(article)
    old_ids = citation_ids_of(current)
    new_ids = old_ids if citation_ids is None else _checked_reference_list(errors, citation_ids, old_ids)
    errors.raise_if_any("The change was not saved.")
    revision = _edit(
        actor, article, base_version=base_version, note=note,
        title=content.get("title", current.title),
        summary=content.get("summary", current.summary),
        body=content.get("body", current.body),
        topic=current.topic if topic is None else topic,
        citation_ids=new_ids,
    )
    if new_ids != old_ids:
        keys = dict(db.session.execute(select(Citation.id, Citation.key).where(Citation.id.in_(set(old_ids) | set(new_ids)))).all())
        for citation_id in (i for i in new_ids if i not in old_ids):
            audit.record("citation.attached", actor=actor, object_type="citation", object_id=citation_id,
                         article_id=article.id, revision_number=revision.number, detail={"key": keys.get(citation_id)})
        for citation_id in (i for i in old_ids if i not in new_ids):
            audit.record("citation.detached", actor=actor, object_type="citation", object_id=citation_id,
                         article_id=article.id, revision_number=revision.number, detail={"key": keys.get(citation_id)})
    return revision


MAX_REFERENCES = 500


def _checked_reference_list(errors: FieldErrors, citation_ids, old_ids: list[int]) -> list[int]:
    """The ordered reference list as sent, or an error under "citation_ids": whole ids of library
    records, each once; a retracted source may stay where it was but cannot be newly cited."""
    if not isinstance(citation_ids, (list, tuple)) or not all(is_id(i) for i in citation_ids):
        errors.add("citation_ids", "The reference list must be citation ids.")
        return old_ids
    ids = list(citation_ids)
    if len(ids) > MAX_REFERENCES:
        errors.add("citation_ids", f"At most {MAX_REFERENCES} references.")
        return old_ids
    if len(set(ids)) != len(ids):
        errors.add("citation_ids", "A reference appears twice in the list.")
        return old_ids
    found = {c.id: c for c in db.session.scalars(select(Citation).where(Citation.id.in_(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    if missing:
        errors.add("citation_ids", "The list names a citation that is not in the library.")
        return old_ids
    retracted = [found[i].key for i in ids if i not in old_ids and found[i].retracted]
    if retracted:
        errors.add("citation_ids", f"{and_list(retracted)} {'is' if len(retracted) == 1 else 'are'} retracted and cannot be cited.")
        return old_ids
    return ids


@dataclass(frozen=True)
class Preview:
    """The body as the reader's page would show it, numbered by the given reference list."""
    html: str
    unknown_keys: list[str]
    word_count: int
    grade: float | None
    reading_minutes: int


def preview(actor: User, article: Article, *, body, citation_ids=None) -> Preview:
    """Render an unsaved body with the reader page's own code (editorial.articles.rendering) and score it
    (editorial.articles.readability), for the editor's preview; saves nothing. Without citation_ids the
    current revision's reference list numbers the citations."""
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    errors = FieldErrors()
    content = _clean_content(errors, title=None, summary=None, body=body, required=False)
    if body is None:
        errors.add("body", "Send the body to preview.")
    ids = citation_ids_of(current_revision(article)) if citation_ids is None else citation_ids
    if not isinstance(ids, list) or not all(is_id(i) for i in ids) or len(ids) > MAX_REFERENCES:
        errors.add("citation_ids", "The reference list must be citation ids.")
    errors.raise_if_any("Nothing to preview.")
    keys = dict(db.session.execute(select(Citation.id, Citation.key).where(Citation.id.in_(ids))).all()) if ids else {}
    numbers = {}
    for citation_id in ids:
        if citation_id in keys and keys[citation_id] not in numbers:
            numbers[keys[citation_id]] = len(numbers) + 1
    text = content["body"]
    rendered = render_body(text, numbers)
    scores = assess(text)
    unknown = list(dict.fromkeys(k for k in inline_citation_keys(text) if k not in numbers))
    return Preview(rendered.html, unknown, scores.word_count, scores.flesch_kincaid_grade, scores.reading_minutes)


def restore_revision(actor: User, article: Article, number: int, *, base_version, note=None) -> Revision:
    """Bring back an old revision's content as a new revision."""
    old = get_revision(article, number)
    note = note or f"Restored revision {number}"
    return _edit(
        actor, article, base_version=base_version, note=note, title=old.title, summary=old.summary,
        body=old.body, topic=old.topic, citation_ids=citation_ids_of(old),
    )


def set_citations(actor: User, article: Article, citation_ids: list[int], *, base_version=None, note: str) -> Revision:
    """Attach, detach or reorder citations: each is a new revision."""
    current = current_revision(article)
    return _edit(
        actor, article, base_version=article.version if base_version is None else base_version, note=note,
        title=current.title, summary=current.summary, body=current.body, topic=current.topic,
        citation_ids=citation_ids, changed_hint=["citations"],
    )
