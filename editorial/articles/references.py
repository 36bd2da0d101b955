"""An article's reference list edited on its own: attach, detach and move a source (each a new
revision, through editing), what such a change would void, and warnings about its sources."""
from editorial.accounts.access import load_access
from editorial.accounts.models import User
from editorial.accounts.permissions import require
from editorial.articles.editing import set_citations
from editorial.articles.history import citation_ids_of, current_revision, signers_of
from editorial.articles.models import Article, Revision
from editorial.articles.rendering import inline_citation_keys
from editorial.articles.schedules import pending_for
from editorial.articles.workflow import edit_leads_to
from editorial.audit import chain as audit
from editorial.citations.models import Citation
from editorial.core.consequences import Consequence
from editorial.core.dates import today_utc
from editorial.core.errors import NotFound, ValidationError
from editorial.core.extensions import db
from editorial.core.wording import and_list, count_of


def reference_change_consequence(actor: User, article: Article, citation_id, offset: int | None = None) -> Consequence:
    """What detaching a reference (offset None) or moving it (-1 up, +1 down) would do. Either saves
    a new revision, so every signature on the current one stops counting: named here, and only
    then is there anything to confirm (a draft nobody signed keeps its one-click buttons)."""
    access = load_access(article)
    require(actor, "edit_article", access, message="Only the author or an editor can change this article.")
    state = article.state
    after = edit_leads_to(state)  # refuses while in review
    ids = citation_ids_of(current_revision(article))
    if citation_id not in ids:
        raise NotFound("That citation is not attached to this article.")
    if offset is not None and offset not in (-1, 1):
        raise ValidationError("Move a reference up or down.", fields={"direction": "Choose up or down."})
    if offset is not None and not 0 <= ids.index(citation_id) + offset < len(ids):
        raise ValidationError("It cannot move further.", fields={"citation_id": "Already at the end of the list."})
    key = db.session.get(Citation, citation_id).key
    doing = f"Detaching [@{key}]" if offset is None else f"Moving [@{key}] {'up' if offset < 0 else 'down'}"
    return _new_revision_consequence(article, access, after, doing, f"{'Detach' if offset is None else 'Move'} [@{key}]?")


def edit_consequence(actor: User, article: Article) -> Consequence:
    """What saving an edit from the edit form (its text or its reference list) would do: the same
    new revision as a detach or a move, so the same signatures stop counting. At stake only when
    someone signed the current revision: a draft nobody signed saves in one step."""
    access = load_access(article)
    require(actor, "edit_article", access, message="Only the author or an editor can change this article.")
    after = edit_leads_to(article.state)  # refuses while in review
    return _new_revision_consequence(article, access, after, "Saving this edit", f"Save this edit of “{article.title}”?")


def _new_revision_consequence(article: Article, access, after, doing: str, question: str) -> Consequence:
    state = article.state
    signers = signers_of([signature_id for signature_id, _, _ in access.current_signatures])
    lines = [f"{doing} saves revision {article.version + 1}."]
    if signers:
        lines.append(f"This voids {count_of(len(signers), 'signature')}: {and_list(signers)}. "
                     f"A signature counts only for the text it signed (revision {article.version}).")
    else:
        lines.append("No signature is at stake: nobody has signed this revision.")
    if after != state:
        lines.append(f"The article goes back to draft ({state.label} now) and needs a new medical review "
                     "before it is published.")
    if article.live_revision_id is not None:
        live = db.session.get(Revision, article.live_revision_id)
        lines.append(f"The live page stays as it is (revision {live.number}) until a newly approved revision is published.")
    for planned in pending_for(article):
        if planned.action == "publish":
            lines.append(f"The publication scheduled for {planned.run_at:%d %b %Y, %H:%M} UTC is cancelled.")
    return Consequence(question, tuple(lines), at_stake=bool(signers), voids=len(signers))


def citation_warnings(article: Article) -> list[str]:
    """Things worth a second look before review, that do not block it: attached sources the
    body never cites inline, and sources older than OLD_SOURCE_YEARS (medical guidance ages)."""
    from flask import current_app

    revision = current_revision(article)
    citations = revision.citations
    if not citations:
        return []
    cited = set(inline_citation_keys(revision.body))
    years = current_app.config.get("OLD_SOURCE_YEARS", 5)
    warnings = [f"[@{c.key}] is attached but never cited in the text." for c in citations if c.key not in cited]
    oldest = today_utc().year - years
    warnings += [f"[@{c.key}] is from {c.year}, more than {years} years ago: check it is still current."
                 for c in citations if c.year and c.year < oldest]
    return warnings


def attach_citation(actor: User, article: Article, citation_id, *, base_version=None) -> Revision:
    """Append a library citation to the article's ordered reference list."""
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    if isinstance(citation_id, bool) or not isinstance(citation_id, int):
        raise ValidationError("Choose a citation.", fields={"citation_id": "Expected a citation id."})
    citation = db.session.get(Citation, citation_id)
    if citation is None:
        raise ValidationError("No such citation.", fields={"citation_id": "No citation with this id."})
    ids = citation_ids_of(current_revision(article))
    if citation.id in ids:
        raise ValidationError("Already attached.", fields={"citation_id": f"{citation.key} is already in the reference list."})
    if citation.retracted:
        raise ValidationError("Retracted source.", fields={"citation_id": f"{citation.key} is retracted and cannot be cited."})
    revision = set_citations(actor, article, [*ids, citation.id], base_version=base_version, note=f"Attached reference {citation.key}")
    audit.record("citation.attached", actor=actor, object_type="citation", object_id=citation.id, article_id=article.id,
                 revision_number=revision.number, detail={"key": citation.key})
    return revision


def detach_citation(actor: User, article: Article, citation_id: int, *, base_version=None) -> Revision:
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    ids = citation_ids_of(current_revision(article))
    if citation_id not in ids:
        raise NotFound("That citation is not attached to this article.")
    citation = db.session.get(Citation, citation_id)
    revision = set_citations(actor, article, [i for i in ids if i != citation_id], base_version=base_version,
                             note=f"Detached reference {citation.key}")
    audit.record("citation.detached", actor=actor, object_type="citation", object_id=citation_id, article_id=article.id,
                 revision_number=revision.number, detail={"key": citation.key})
    return revision


def move_citation(actor: User, article: Article, citation_id: int, offset: int, *, base_version=None) -> Revision:
    """Move a reference up (offset -1) or down (+1) in the list."""
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    ids = citation_ids_of(current_revision(article))
    if citation_id not in ids:
        raise NotFound("That citation is not attached to this article.")
    index = ids.index(citation_id)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(ids):
        raise ValidationError("It cannot move further.", fields={"citation_id": "Already at the end of the list."})
    ids[index], ids[target] = ids[target], ids[index]
    citation = db.session.get(Citation, citation_id)
    return set_citations(actor, article, ids, base_version=base_version,
                         note=f"Moved reference {citation.key} {'up' if offset < 0 else 'down'}")
