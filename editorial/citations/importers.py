"""Importing citation files: ``parse(format, text) -> ImportResult``.

Formats: "ris", "bibtex", "nbib" (PubMed MEDLINE), "csl-json".

Rules:
- Input may be str or bytes. Bytes are read as UTF-8 (a BOM is dropped), falling back to
  Windows-1252 for old exports. Line endings are normalised to "\\n".
- A file that is binary (NUL bytes), larger than ``MAX_IMPORT_CHARS``, has more than
  ``MAX_RECORDS`` records, or in which no record can be read at all raises
  ``ImportFormatError`` with a message for people.
- Otherwise every record found gives a ParsedRecord: ``data`` is the mapped CitationData
  (None when the record could not be read), ``errors`` the validation errors or
  {"record": reason}, ``warnings`` what was read but deserves a look (a "person" that
  looks like an organisation), and ``source_label`` "record N: <start of title>".
- A record with a title whose only errors are missing parts (year, journal, publisher...,
  see validation.MISSING_PART_MESSAGES) is ``incomplete``: it can be imported, with
  ``missing`` saying what to add. A malformed value still makes the record bad.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import bibtex, csljson, medline, ris
from ._base import MAX_RECORDS, ImportFormatError, Mapped
from .records import CitationData
from .text import shorten
from .validation import only_missing_parts, validate

MAX_IMPORT_CHARS = 10_000_000
READERS: dict[str, Callable[[str], list[Mapped]]] = {
    "ris": ris.read,
    "bibtex": bibtex.read,
    "nbib": medline.read,
    "csl-json": csljson.read,
}
FORMATS: tuple[str, ...] = tuple(READERS)

__all__ = ["FORMATS", "ImportFormatError", "ImportResult", "ParsedRecord", "detect_format", "parse"]


@dataclass
class ParsedRecord:
    data: CitationData | None
    errors: dict[str, str]
    source_label: str
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.errors

    @property
    def incomplete(self) -> bool:
        return self.data is not None and only_missing_parts(self.errors)

    @property
    def missing(self) -> dict[str, str]:
        return dict(self.errors) if self.incomplete else {}


@dataclass
class ImportResult:
    records: list[ParsedRecord] = field(default_factory=list)

    @property
    def good(self) -> list[ParsedRecord]:
        return [r for r in self.records if r.ok]

    @property
    def incomplete(self) -> list[ParsedRecord]:
        return [r for r in self.records if r.incomplete]

    @property
    def bad(self) -> list[ParsedRecord]:
        return [r for r in self.records if not r.ok and not r.incomplete]


def _decode(text: str | bytes) -> str:
    if isinstance(text, bytes):
        if len(text) > MAX_IMPORT_CHARS * 4:
            raise ImportFormatError("The file is too large to import.")
        if b"\x00" in text:
            raise ImportFormatError("This looks like a binary file, not a citation export.")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = text.decode("cp1252", errors="replace")
    if not isinstance(text, str):
        raise ImportFormatError("Nothing to import.")
    if "\x00" in text:
        raise ImportFormatError("This looks like a binary file, not a citation export.")
    if len(text) > MAX_IMPORT_CHARS:
        raise ImportFormatError(f"The file is too large to import (at most {MAX_IMPORT_CHARS:,} characters).")
    text = text.lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _label(number: int, mapped: Mapped) -> str:
    title = mapped.data.title if mapped.data else ""
    return f"record {number}: {shorten(title)}" if title else f"record {number}"


def parse(format: str, text: str | bytes) -> ImportResult:
    """Read every record of a citation file; see the module docstring for the rules."""
    reader = READERS.get(format)
    if reader is None:
        raise ImportFormatError(f"Unknown format {format!r}: choose one of {', '.join(FORMATS)}.")
    content = _decode(text)
    if not content.strip():
        raise ImportFormatError("The file is empty.")
    mapped = reader(content)
    if len(mapped) > MAX_RECORDS:
        raise ImportFormatError(f"The file has {len(mapped):,} records; import at most {MAX_RECORDS:,} at a time.")
    if all(m.data is None for m in mapped):
        reason = mapped[0].reason if mapped else ""
        raise ImportFormatError(f"No record could be read. {reason}".strip())
    result = ImportResult()
    for number, item in enumerate(mapped, start=1):
        errors = validate(item.data) if item.data else {"record": item.reason or "The record could not be read."}
        result.records.append(ParsedRecord(data=item.data, errors=errors, source_label=_label(number, item),
                                           warnings=list(item.warnings)))
    return result


# --- Telling the format from the content ---------------------------------------------------

_EXTENSIONS = {".ris": "ris", ".enw": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".nbib": "nbib", ".medline": "nbib",
               ".json": "csl-json", ".csljson": "csl-json"}
_RIS_LINE = re.compile(r"^(?:TY|ER)  -", re.MULTILINE)
_MEDLINE_LINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_BIBTEX_ENTRY = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)


def detect_format(text: str | bytes, filename: str | None = None) -> str:
    """The format of a citation file, from its content first (each format has a telling start),
    else from the file name's extension; ImportFormatError when neither tells."""
    content = _decode(text)
    if not content.strip():
        raise ImportFormatError("The file is empty.")
    head = content[:200_000]
    start = head.lstrip()[:1]
    if start in ("[", "{"):
        return "csl-json"
    if _RIS_LINE.search(head):
        return "ris"
    if _MEDLINE_LINE.search(head):
        return "nbib"
    if _BIBTEX_ENTRY.search(head):
        return "bibtex"
    extension = ("." + filename.rsplit(".", 1)[-1].lower()) if filename and "." in filename else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    raise ImportFormatError("This is not a citation export we can read (RIS, PubMed MEDLINE, BibTeX or CSL-JSON): "
                            "export the references again from your reference manager or PubMed.")
