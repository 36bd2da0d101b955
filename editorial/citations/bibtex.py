"""BibTeX / BibLaTeX reader, using bibtexparser 2 (its v2 API: ``parse_string``).

bibtexparser splits the file into blocks and keeps going after a broken entry (a
ParsingFailedBlock), so good entries survive bad ones. Field names are compared
lowercase (Web of Science writes "Title", "Author").

Rules:
- Values are LaTeX-decoded with pylatexenc ("J{\\"o}rg" -> "Jörg", "\\&" -> "&", braces
  removed), then cleaned to one line.
- author: "and"-separated names split by bibtexparser (First von Last / von Last, First);
  a name that is one brace-protected group ("{World Health Organization}") is an
  organisation author.
- Types: article -> journal article (consensus statement by title); inproceedings and
  conference -> journal article with the proceedings as container; book, inbook,
  incollection, booklet, manual, theses, reports and proceedings -> book (chapter title
  with the book in ``container_title``; school/institution as publisher); online,
  electronic, www, webpage, and misc with a URL -> web page.
- A field repeated in one entry keeps its first value.
- journal: journal, journaltitle (BibLaTeX), booktitle; year: year, else date; issue:
  number, else issue; PMID: pmid, eprint when eprinttype is pubmed, or "PMID: n" in note;
  accessed: urldate.
"""
from __future__ import annotations

import re

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from ._base import MAX_RECORDS, ImportFormatError, Mapped, date_from, doi_or_raw, first, journal_type, pages_from, pmid_in_text, pmid_or_raw, year_from
from .names import name_suffix
from .records import ARTICLE, BOOK, WEBPAGE, Author, CitationData
from .text import clean_text, latex_to_text

_ENTRY_START = re.compile(r"@\s*\w+\s*[{(]")
_BOOK_TYPES = {"book", "inbook", "incollection", "booklet", "manual", "phdthesis", "mastersthesis", "thesis",
               "techreport", "report", "proceedings", "mvbook", "collection", "bookinbook"}
_CHAPTER_TYPES = {"inbook", "incollection", "bookinbook"}
_WEB_TYPES = {"online", "electronic", "www", "webpage"}


def _text(value: object) -> str:
    return clean_text(latex_to_text(clean_text(value)))


def _person(name: str) -> tuple[Author | None, str]:
    """(person, "") or (None, organisation name) for one name of an author list."""
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}") and " " in stripped:
        return None, _text(stripped)
    try:
        parts = parse_single_name_into_parts(stripped, strict=False)
    except Exception:  # an unbalanced name must not stop the import
        return (Author(family=_text(stripped)) if _text(stripped) else None), ""
    family = _text(" ".join([*parts.von, *parts.last]))
    given = _text(" ".join(parts.first))
    if not family:
        return None, ""
    jr = _text(" ".join(parts.jr))
    return Author(family=family, given=given, suffix=name_suffix(jr) or jr.rstrip(".")), ""


def _authors(value: str) -> tuple[list[Author], str]:
    people, orgs = [], []
    try:
        names = split_multiple_persons_names(value)
    except Exception:
        names = [value]
    for name in names:
        if name.strip().lower() == "others":  # BibTeX's "and others": the list was cut short
            continue
        person, org = _person(name)
        if person:
            people.append(person)
        elif org:
            orgs.append(org)
    return people, "; ".join(orgs)


def _type(entry_type: str, fields: dict[str, str], title: str) -> str:
    if entry_type in _BOOK_TYPES:
        return BOOK
    if entry_type in _WEB_TYPES or (entry_type == "misc" and fields.get("url") and not fields.get("journal")):
        return WEBPAGE
    return journal_type(title) if entry_type != "inproceedings" else ARTICLE


def _pmid(fields: dict[str, str]) -> str:
    if fields.get("pmid"):
        return pmid_or_raw(fields["pmid"])
    if fields.get("eprinttype", "").lower() == "pubmed" and fields.get("eprint"):
        return pmid_or_raw(fields["eprint"])
    return pmid_in_text(fields.get("note", ""))


def _map(entry: model.Entry) -> CitationData:
    raw: dict[str, str] = {}
    for f in entry.fields:  # the first of repeated fields wins
        if isinstance(f.value, str):
            raw.setdefault(f.key.lower(), f.value)
    fields = {key: _text(value) for key, value in raw.items() if key not in {"author", "abstract", "file"}}
    entry_type = entry.entry_type.lower()
    title = fields.get("title", "")
    kind = _type(entry_type, fields, title)
    people, org = _authors(raw.get("author", ""))
    if kind == BOOK:
        container = first(fields.get("booktitle"), fields.get("maintitle")) if entry_type in _CHAPTER_TYPES else ""
    else:
        container = first(fields.get("journal"), fields.get("journaltitle"), fields.get("booktitle"),
                          fields.get("organization") if kind == WEBPAGE else "")
    return CitationData(
        type=kind,
        title=title,
        authors=people,
        org_author=org,
        container_title=container,
        year=year_from(first(fields.get("year"), fields.get("date"))),
        volume=fields.get("volume", ""),
        issue=first(fields.get("number"), fields.get("issue")),
        pages=pages_from(fields.get("pages", "")),
        doi=doi_or_raw(fields.get("doi", "")),
        pmid=_pmid(fields),
        url=fields.get("url", "") if fields.get("url", "").lower().startswith(("http://", "https://")) else "",
        accessed=date_from(fields.get("urldate", "")),
        published=date_from(fields.get("date", "")) if kind == WEBPAGE else None,
        publisher=first(fields.get("publisher"), fields.get("school"), fields.get("institution"),
                        fields.get("organization") if kind == BOOK else ""),
        edition=fields.get("edition", ""),
    )


def _failure(block: model.ParsingFailedBlock) -> str:
    if isinstance(block, model.DuplicateBlockKeyBlock):
        return f"The entry key {block.key!r} is used twice."
    first_line = clean_text(block.raw.split("\n", 1)[0])[:80]
    return f"The entry could not be read (starting {first_line!r}): {clean_text(block.error)[:200]}"


def read(text: str) -> list[Mapped]:
    # Cheap count first: the parser is slow on hundreds of thousands of broken entries.
    starts = sum(1 for _ in _ENTRY_START.finditer(text))
    if starts > MAX_RECORDS * 2:
        raise ImportFormatError(f"The file has about {starts:,} entries; import at most {MAX_RECORDS:,} at a time.")
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # defensive: the splitter is lenient but hostile input is possible
        raise ImportFormatError(f"This is not a BibTeX file: {clean_text(exc)[:200]}") from exc
    out: list[Mapped] = []
    for block in library.blocks:
        if isinstance(block, model.DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, model.Entry):
            block = block.ignore_error_block  # exporters repeat fields; keep the first value
        if isinstance(block, model.Entry):
            try:
                out.append(Mapped(_map(block)))
            except Exception as exc:
                out.append(Mapped(None, f"The entry {block.key!r} could not be read: {clean_text(exc)[:200]}"))
        elif isinstance(block, model.ParsingFailedBlock):
            out.append(Mapped(None, _failure(block)))
    if not out:
        raise ImportFormatError('No BibTeX entries found: expected entries such as "@article{key, ...}".')
    return out
