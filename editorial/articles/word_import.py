"""A Word file (.docx) as a Markdown draft.

mammoth reads the .docx into plain semantic HTML (headings from Word's heading styles, lists,
bold, italic, links, tables; no styles); markdownify turns that HTML into Markdown, pipe tables
included (mammoth's own Markdown output has no tables, so it is not used). The Markdown is then
an article body like any typed one: saved as a revision and sanitised when rendered.

Rules:
- What is not imported is counted and reported, never dropped silently: images (mammoth asks us
  for each one; we keep none), comments (mammoth ignores them; word/comments.xml lists them), and
  anything mammoth itself warns about that is not a mere unknown style.
- A file that is empty, past MAX_DOCX_BYTES, not a zip, a zip without word/document.xml, too large
  once unpacked (a zip bomb) or that mammoth cannot read raises NotAWordFile with a message for
  people. Nothing else escapes.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from editorial.core.wording import count_of

MAX_DOCX_BYTES = 8 * 1024 * 1024  # the default of WORD_IMPORT_MAX_BYTES
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # a Word file's XML is rarely a tenth of this
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Styles mammoth does not map are formatting, not content: no need to tell the writer.
_UNKNOWN_STYLE = re.compile(r"^Unrecognised (?:paragraph |run |table )?style|style with ID .* was referenced but not defined",
                            re.IGNORECASE)


class NotAWordFile(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class WordDraft:
    markdown: str
    title: str = ""  # the first top-level heading, when the document has one
    images: int = 0
    comments: int = 0
    other_warnings: list[str] = field(default_factory=list)

    @property
    def not_imported(self) -> str:
        """ "2 images and 1 comment were not imported." or "" when everything was."""
        parts = [count_of(n, word) for n, word in ((self.images, "image"), (self.comments, "comment")) if n]
        if not parts:
            return ""
        total = self.images + self.comments
        return f"{' and '.join(parts)} {'was' if total == 1 else 'were'} not imported."

    @property
    def report(self) -> str:
        """What the writer is told after an import: what was not imported, and the converter's other warnings."""
        warned = f" The converter also noted: {'; '.join(self.other_warnings[:3])}." if self.other_warnings else ""
        return (self.not_imported + warned).strip()

    def without_title(self) -> str:
        """The body with its first "# Title" line taken out (it became the article's title)."""
        if not self.title:
            return self.markdown
        return re.sub(r"\A\s*# [^\n]*\n*", "", self.markdown, count=1)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _open(raw: bytes, max_bytes: int) -> zipfile.ZipFile:
    if not raw:
        raise NotAWordFile("The file is empty.")
    if len(raw) > max_bytes:
        raise NotAWordFile(f"The file is larger than {_size(max_bytes)}: import the text without its images.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise NotAWordFile("This is not a Word file: save it as a Word document (.docx) and choose it again.") from None
    if "word/document.xml" not in names:
        raise NotAWordFile("This file is not a Word document (.docx): it has no document text.")
    if unpacked > MAX_UNPACKED_BYTES:
        raise NotAWordFile("This Word file is too large to import once unpacked.")
    return archive


def _count_comments(archive: zipfile.ZipFile) -> int:
    try:
        xml = archive.read("word/comments.xml")
    except KeyError:
        return 0
    try:
        return len(ElementTree.fromstring(xml).findall(f"{_W}comment"))
    except ElementTree.ParseError:
        return len(re.findall(rb"<w:comment\b", xml))


def _markdown(html: str) -> str:
    from markdownify import markdownify

    text = markdownify(html, heading_style="ATX", bullets="-", strip=["img"], table_infer_header=True)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def docx_to_markdown(raw: bytes, *, max_bytes: int = MAX_DOCX_BYTES) -> WordDraft:
    """The Markdown of a .docx and what could not be imported; NotAWordFile when it is no .docx."""
    import mammoth

    archive = _open(raw, max_bytes)
    images = 0

    def no_image(_image):
        nonlocal images
        images += 1
        return {"alt": ""}  # the <img> is stripped by _markdown; the count is reported

    try:
        result = mammoth.convert_to_html(io.BytesIO(raw), convert_image=mammoth.images.img_element(no_image))
    except Exception:  # mammoth raises many kinds (KeyError, XML errors) on a broken .docx
        raise NotAWordFile("This Word file could not be read: it may be damaged. Open it in Word, save it again, and retry.") from None
    markdown = _markdown(result.value)
    title = re.match(r"\A\s*# ([^\n]+)", markdown)
    others = [m.message for m in result.messages if not _UNKNOWN_STYLE.search(m.message) and "image" not in m.message.lower()]
    return WordDraft(markdown=markdown, title=title.group(1).strip() if title else "", images=images,
                     comments=_count_comments(archive), other_warnings=others)


WORD_UPLOAD_ENDPOINTS = frozenset({"articles.create", "articles.import_word"})


def allow_word_uploads() -> None:
    """Raise the request size limit on the pages that take a Word file (Flask 3.1's per-request
    limit), so a file past WORD_IMPORT_MAX_BYTES but under the allowance gets a field error."""
    from flask import current_app, request

    if request.endpoint in WORD_UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = int(current_app.config.get("WORD_IMPORT_MAX_BYTES", MAX_DOCX_BYTES)) + 1024 * 1024
