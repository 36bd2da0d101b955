"""BibTeX / BibLaTeX reader, using bibtexparser 2 (its v2 API: ``parse_string``).

bibtexparser splits the file into blocks and keeps going after a broken entry (a
ParsingFailedBlock), so good entries survive bad ones. Field names are compared
lowercase (Web of Science writes "Title", "Author").

Rules:
- Values are LaTeX-decoded with pylatexenc ("J{\\"o}rg" -> "Jörg", "\\&" -> "&", braces
  removed), then cleaned to one line.
- author: "and"-separated names split by bibtexparser (First von Last / von Last, First,
  and von Last, Jr, First); a name that is one brace-protected group ("{World Health
  Organization}") is an organisation author. An unbraced one is parsed as BibTeX says (a
  person "Organization, World Health") with a warning. "and others" -> "et al".
- editor: the editors of a chapter's book or a paper's proceedings.
- Types: article -> journal article (consensus statement by title); inproceedings and
  conference -> conference paper (booktitle the proceedings); phdthesis, mastersthesis,
  thesis -> thesis (school the institution; genre from the entry type or ``type``);
  techreport, report -> report (``type`` + ``number`` the report number, institution the
  publisher); an entry on a preprint server (archivePrefix/eprinttype/journal/publisher
  naming arXiv, medRxiv, bioRxiv...) -> preprint (an arXiv eprint gives the URL); book,
  inbook, incollection, booklet, manual and proceedings -> book (chapter title with the
  book in ``container_title``); online, electronic, www, webpage, and misc with a URL ->
  web page.
- published: a full ``date`` (BibLaTeX).
- A field repeated in one entry keeps its first value.
- journal: journal, journaltitle (BibLaTeX), booktitle; year: year, else date; issue:
  number, else issue; PMID: pmid, eprint when eprinttype is pubmed, or "PMID: n" in note;
  accessed: urldate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from ._base import looks_like_organisation, organisation_warning, preprint_server, thesis_kind
from ._base import MAX_RECORDS, ImportFormatError, Mapped, date_from, doi_or_raw, first, journal_type, pages_from, pmid_in_text, pmid_or_raw, year_from
from .names import is_acronym, name_suffix
from .records import BOOK, PAPER, PREPRINT, REPORT, THESIS, WEBPAGE, Author, CitationData
from .text import clean_text, latex_to_text

_ENTRY_START = re.compile(r"@\s*\w+\s*[{(]")
_BOOK_TYPES = {"book", "inbook", "incollection", "booklet", "manual", "proceedings", "mvbook", "collection", "bookinbook"}
_TYPES = {"inproceedings": PAPER, "conference": PAPER, "phdthesis": THESIS, "mastersthesis": THESIS, "thesis": THESIS,
          "techreport": REPORT, "report": REPORT}
_CHAPTER_TYPES = {"inbook", "incollection", "bookinbook"}
_WEB_TYPES = {"online", "electronic", "www", "webpage"}


def _text(value: object) -> str:
    return clean_text(latex_to_text(clean_text(value)))


def _person(name: str) -> tuple[Author | None, str]:
    """(person, "") or (None, organisation name) for one name of an author list."""
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}") and (" " in stripped or is_acronym(stripped)):
        return None, _text(stripped)  # "{World Health Organization}", "{WHO}"; "{McDonald}" is a protected surname
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


@dataclass
class _Names:
    people: list[Author] = field(default_factory=list)
    org: str = ""
    cut_short: bool = False  # BibTeX's "and others": the list was cut short
    warnings: list[str] = field(default_factory=list)


def _authors(value: str) -> _Names:
    out, orgs = _Names(), []
    try:
        names = split_multiple_persons_names(value)
    except Exception:
        names = [value]
    for name in names:
        if name.strip().lower() == "others":
            out.cut_short = True
            continue
        person, org = _person(name)
        if person:
            out.people.append(person)
            written = _text(name)
            if looks_like_organisation(written):  # parsed as BibTeX says, but the user should look
                out.warnings.append(organisation_warning(written))
        elif org:
            orgs.append(org)
    out.org = "; ".join(orgs)
    return out


def _server(fields: dict[str, str]) -> str:
    """"arXiv", "medRxiv"... when the entry is a preprint on a server, else ""."""
    return first(*(preprint_server(fields.get(name, "")) for name in
                   ("archiveprefix", "eprinttype", "journal", "journaltitle", "publisher", "howpublished")))


def _type(entry_type: str, fields: dict[str, str], title: str) -> str:
    if entry_type in _TYPES:
        return _TYPES[entry_type]
    if entry_type in _BOOK_TYPES:
        return BOOK
    journal = first(fields.get("journal"), fields.get("journaltitle"))
    # INSPIRE and ADS give a published article its arXiv eprint too: a journal that is not a server wins
    if entry_type in {"misc", "online", "unpublished", "article", "preprint"} and _server(fields) \
            and (not journal or preprint_server(journal)):
        return PREPRINT
    if entry_type in _WEB_TYPES or (entry_type == "misc" and fields.get("url") and not fields.get("journal")):
        return WEBPAGE
    return journal_type(title)


def _genre(entry_type: str, fields: dict[str, str]) -> str:
    return "Master's thesis" if entry_type == "mastersthesis" and not fields.get("type") else thesis_kind(fields.get("type"))


def _report_number(fields: dict[str, str]) -> str:
    number = fields.get("number", "")
    kind = fields.get("type", "")
    return f"{kind} {number}" if number and kind and kind.lower() not in {"techreport", "report"} else number


def _url(fields: dict[str, str], kind: str) -> str:
    url = fields.get("url", "")
    if url.lower().startswith(("http://", "https://")):
        return url
    if kind == PREPRINT and fields.get("eprint") and _server(fields) == "arXiv":
        return f"https://arxiv.org/abs/{fields['eprint']}"
    return ""


def _pmid(fields: dict[str, str]) -> str:
    if fields.get("pmid"):
        return pmid_or_raw(fields["pmid"])
    if fields.get("eprinttype", "").lower() == "pubmed" and fields.get("eprint"):
        return pmid_or_raw(fields["eprint"])
    return pmid_in_text(fields.get("note", ""))


def _map(entry: model.Entry) -> Mapped:
    raw: dict[str, str] = {}
    for f in entry.fields:  # the first of repeated fields wins
        if isinstance(f.value, str):
            raw.setdefault(f.key.lower(), f.value)
    fields = {key: _text(value) for key, value in raw.items() if key not in {"author", "abstract", "file"}}
    entry_type = entry.entry_type.lower()
    # TeX's dashes in running text: "--" an en dash, "---" an em dash (pages keep their own rule)
    title = fields.get("title", "").replace("---", "\u2014").replace("--", "\u2013")
    kind = _type(entry_type, fields, title)
    names = _authors(raw.get("author", ""))
    editors = _authors(raw.get("editor", "")) if kind in (BOOK, PAPER) else _Names()
    if kind == BOOK:
        container = first(fields.get("booktitle"), fields.get("maintitle")) if entry_type in _CHAPTER_TYPES else ""
    elif kind == PREPRINT:
        container = _server(fields)
    elif kind in (THESIS, REPORT):
        container = ""
    else:
        container = first(fields.get("journal"), fields.get("journaltitle"), fields.get("booktitle"),
                          fields.get("organization") if kind == WEBPAGE else "")
    return Mapped(CitationData(
        type=kind,
        title=title,
        authors=names.people,
        authors_cut_short=names.cut_short,
        org_author=names.org,
        editors=editors.people,
        editors_cut_short=editors.cut_short,
        container_title=container,
        genre=_genre(entry_type, fields) if kind == THESIS else "",
        report_number=_report_number(fields) if kind == REPORT else "",
        year=year_from(first(fields.get("year"), fields.get("date"))),
        volume=fields.get("volume", ""),
        issue=first(fields.get("number"), fields.get("issue")) if kind != REPORT else "",
        pages=pages_from(fields.get("pages", "")),
        doi=doi_or_raw(fields.get("doi", "")),
        pmid=_pmid(fields),
        url=_url(fields, kind),
        accessed=date_from(fields.get("urldate", "")),
        published=date_from(fields.get("date", "")),
        publisher=first(fields.get("publisher"), fields.get("school"), fields.get("institution"),
                        fields.get("organization") if kind == BOOK else ""),
        edition=fields.get("edition", ""),
    ), warnings=names.warnings)


def _failure(block: model.ParsingFailedBlock) -> str:
    if isinstance(block, model.DuplicateBlockKeyBlock):
        return f"The entry key {block.key!r} is used twice."
    first_line = clean_text(block.raw.split("\n", 1)[0])[:80]
    # bibtexparser's BlockAbortedException keeps its reason in abort_reason; its str() is empty
    reason = clean_text(getattr(block.error, "abort_reason", None) or block.error)[:200]
    return f"The entry could not be read (starting {first_line!r})" + (f": {reason}" if reason else ".")


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
                out.append(_map(block))
            except Exception as exc:
                out.append(Mapped(None, f"The entry {block.key!r} could not be read: {clean_text(exc)[:200]}"))
        elif isinstance(block, model.ParsingFailedBlock):
            out.append(Mapped(None, _failure(block)))
    if not out:
        raise ImportFormatError('No BibTeX entries found: expected entries such as "@article{key, ...}".')
    return out
