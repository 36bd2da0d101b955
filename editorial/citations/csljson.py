"""CSL-JSON reader (Zotero, Crossref, citeproc exports): a JSON list of items or one item.

Field map:
- type: article-journal and other article/paper types -> journal article (consensus
  statement by title); paper-conference, thesis, report (and standard) keep their type;
  posted-content (Crossref), article (Zotero's preprints) and preprint -> preprint, the
  server from container-title, group-title, archive or publisher; book, chapter -> book;
  webpage, post, post-weblog -> web page; "consensus-statement" (our own export) is kept.
- editor; genre (theses); number (a report's number); issued as a full date -> published.
- author: {family, given}; {literal} (or a family with no given that reads as an
  organisation) -> organisation author.
- title; container: container-title-short / journalAbbreviation first (AMA uses
  abbreviations), else container-title; a chapter's container-title is its book.
- issued: date-parts (years may be strings: ["2015", 1, 20]), else raw/literal; accessed
  likewise (a full date only).
- DOI, PMID (else "PMID: n" in note), page, volume, issue, URL, publisher, edition.
- LaTeX pasted into strings ("Exposici\\'on") is decoded; HTML markup is removed.
"""
from __future__ import annotations

import json
from datetime import date

from ._base import ImportFormatError, Mapped, doi_or_raw, ends_the_list, first, is_arxiv_identifier, journal_type, pages_from
from ._base import pmid_in_text, pmid_or_raw, preprint_server, thesis_kind, year_from
from .names import name_suffix
from .records import BOOK, CITATION_TYPES, PAPER, PREPRINT, REPORT, THESIS, WEBPAGE, Author, CitationData
from .text import clean_text, latex_to_text, looks_like_latex

_BOOK_TYPES = {"book", "chapter", "manuscript", "pamphlet", "classic"}
_WEB_TYPES = {"webpage", "post", "post-weblog"}
# Crossref calls a preprint "posted-content"; Zotero exports its preprints as "article".
_TYPES = {"paper-conference": PAPER, "thesis": THESIS, "report": REPORT, "standard": REPORT, "posted-content": PREPRINT,
          "article": PREPRINT, "preprint": PREPRINT}


def _text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return ""  # a structure where a string belongs: ignore rather than print its repr
    text = clean_text(value)
    return clean_text(latex_to_text(text)) if looks_like_latex(text) else text


def _date_parts(value: object) -> list[int]:
    if not isinstance(value, dict):
        return []
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        out = []
        for part in parts[0][:3]:
            try:
                out.append(int(str(part).strip()))
            except ValueError:
                break
        return out
    year = year_from(value.get("raw") or value.get("literal") or "")
    return [year] if year else []


def _full_date(value: object) -> date | None:
    parts = _date_parts(value)
    if len(parts) < 3:
        return None
    try:
        return date(*parts)
    except (ValueError, OverflowError):
        return None


def _authors(value: object) -> tuple[list[Author], str, bool]:
    """The people, the organisation author, and whether the list ends with {"literal": "others"} (cut short)."""
    people, orgs, cut_short = [], [], False
    items = [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
    for item in items:
        family, given, literal = _text(item.get("family")), _text(item.get("given")), _text(item.get("literal"))
        if item is items[-1] and not given and ends_the_list(literal or family):
            cut_short = True
        elif family:
            suffix = _text(item.get("suffix"))
            head, _, tail = given.rpartition(",")
            if not suffix and head and name_suffix(tail):  # Zotero's "Robert T., Jr."
                given, suffix = head.strip(), tail
            # "de Brouwer", "van Beethoven": AMA keeps a particle with the surname
            particles = [_text(item.get(name)) for name in ("dropping-particle", "non-dropping-particle")]
            family = " ".join(p for p in (*particles, family) if p)
            people.append(Author(family=family, given=given, suffix=name_suffix(suffix) or suffix.rstrip(".")))
        elif literal:
            orgs.append(literal)
    return people, "; ".join(orgs), cut_short


def _type(csl_type: str, title: str, container: str) -> str:
    if is_arxiv_identifier(container) and csl_type in {"article-journal", "article", "manuscript", ""}:
        return PREPRINT  # Zotero saves an arXiv paper as a journal article "in" arXiv:1501.04916 [physics]
    if csl_type in CITATION_TYPES and csl_type != "article-journal":
        return csl_type
    if csl_type in _TYPES:
        return _TYPES[csl_type]
    if csl_type in _BOOK_TYPES:
        return BOOK
    if csl_type in _WEB_TYPES:
        return WEBPAGE
    return journal_type(title)


def _server(item: dict) -> str:
    """A preprint's server: the container (Zotero) or archive, else a group-title or publisher that names a
    server. Crossref's group-title is often the subject ("Epidemiology") and its publisher the company
    ("Cold Spring Harbor Laboratory"), so those count only when they name a known server."""
    container = first(_text(item.get("container-title")), _text(item.get("archive")))
    if is_arxiv_identifier(container):
        return "arXiv"
    return container or first(preprint_server(_text(item.get("group-title"))), preprint_server(_text(item.get("publisher"))))


def _map(item: dict) -> CitationData:
    csl_type = _text(item.get("type")).lower()
    title = _text(item.get("title"))
    kind = _type(csl_type, title, _text(item.get("container-title")))
    people, org, cut_short = _authors(item.get("author"))
    editors, _, editors_cut_short = _authors(item.get("editor"))
    if kind == BOOK:
        container = _text(item.get("container-title")) if csl_type == "chapter" else ""
    elif kind == PREPRINT:
        container = _server(item)
    elif kind in (THESIS, REPORT):
        container = ""
    else:
        container = first(_text(item.get("container-title-short")), _text(item.get("journalAbbreviation")),
                          _text(item.get("container-title")))
    issued = _date_parts(item.get("issued"))
    url = _text(item.get("URL"))
    return CitationData(
        type=kind,
        title=title,
        authors=people,
        authors_cut_short=cut_short,
        org_author=org,
        editors=editors if kind in (BOOK, PAPER) else [],
        editors_cut_short=editors_cut_short and kind in (BOOK, PAPER),
        container_title=container,
        genre=thesis_kind(_text(item.get("genre"))) if kind == THESIS else "",
        report_number=_text(item.get("number")) if kind == REPORT else "",
        year=issued[0] if issued else None,
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=pages_from(_text(item.get("page"))),
        doi=doi_or_raw(_text(item.get("DOI"))),
        pmid=pmid_or_raw(_text(item.get("PMID"))) or pmid_in_text(_text(item.get("note"))),
        url=url if url.lower().startswith(("http://", "https://")) else "",
        accessed=_full_date(item.get("accessed")),
        # Crossref's "issued" may be the print year alone, the full date being "published-online"
        published=_full_date(item.get("issued")) or _full_date(item.get("published-online")),
        publisher=_text(item.get("publisher")),
        edition=_text(item.get("edition")),
    )


def read(text: str) -> list[Mapped]:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFormatError(f"This is not valid JSON: {clean_text(exc)[:200]}") from exc
    if isinstance(parsed, dict) and isinstance(parsed.get("items"), list):
        parsed = parsed["items"]  # some tools wrap the list
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not any(isinstance(i, dict) for i in items):
        raise ImportFormatError("No CSL-JSON items found: expected an object or a list of objects.")
    out = []
    for item in items:
        if not isinstance(item, dict):
            out.append(Mapped(None, "The item is not a JSON object."))
            continue
        try:
            out.append(Mapped(_map(item)))
        except Exception as exc:  # odd value types in otherwise valid JSON
            out.append(Mapped(None, f"The item could not be read: {clean_text(exc)[:200]}"))
    return out
