"""Drafts from Word: a .docx as a new article, or as a new revision of an article's text.

The converted Markdown goes through the article services like typed text (validation, one
immutable revision, the audit); a file that is no Word document is a field error of `word_file`
and changes nothing. What was not imported (images, comments) is returned for the writer to see.
"""
from pathlib import PurePath

from flask import current_app

from editorial.accounts.access import load_access
from editorial.core.errors import ValidationError
from editorial.articles.models import Article, Revision
from editorial.accounts.models import User
from editorial.accounts.permissions import require
from editorial.articles import editing
from editorial.articles.word_import import NotAWordFile, WordDraft, docx_to_markdown

FIELD = "word_file"


def max_bytes() -> int:
    return int(current_app.config.get("WORD_IMPORT_MAX_BYTES", 8 * 1024 * 1024))


def read_upload(upload) -> tuple[bytes, str]:
    """The bytes (at most the limit plus one, to tell "too large") and the file name of an upload."""
    return upload.read(max_bytes() + 1), PurePath(upload.filename or "document.docx").name[:200]


def convert(raw: bytes) -> WordDraft:
    try:
        return docx_to_markdown(raw, max_bytes=max_bytes())
    except NotAWordFile as exc:
        raise ValidationError(exc.message, fields={FIELD: exc.message}) from None


def start_from_word(actor: User, raw: bytes, filename: str, *, title: str = "", summary: str = "",
                    topic: str = "") -> tuple[Article, WordDraft]:
    """A new draft whose body is the Word file's text; its title, when none is typed, is the
    document's first heading (taken out of the body), else the file's name."""
    require(actor, "create_article", message="Only writers and editors start articles.")
    draft = convert(raw)
    title = (title or "").strip()
    body = draft.markdown
    if not title:
        title, body = (draft.title, draft.without_title()) if draft.title else (PurePath(filename).stem, body)
    article = editing.create_article(actor, title=title, body=body, summary=summary, topic=topic)
    return article, draft


def replace_text_from_word(actor: User, article: Article, raw: bytes, filename: str, *, base_version,
                           note: str = "") -> tuple[Revision, WordDraft]:
    """A new revision whose body is the Word file's text; title, summary, topic and references stay."""
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    draft = convert(raw)
    note = (note or "").strip() or f"Text replaced from the Word file {filename}."
    revision = editing.save_revision(actor, article, base_version=base_version, body=draft.markdown, note=note)
    return revision, draft
