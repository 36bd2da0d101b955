"""RIS reader (EndNote, Zotero, Embase, publisher exports), using rispy per record.

The text is cut into records here (``TY  -`` ... ``ER  -``) and each record is parsed on
its own, so one broken record cannot lose the others, and a last record without ``ER`` is
still read (rispy silently drops it).

Field map (rispy names in brackets):
- authors: AU [authors] and A1 [first_authors], "Family, Given" or "Family Initials";
  a name with neither form ("World Health Organization") becomes the organisation author.
- title: TI [title], T1 [primary_title], then ST [short_title].
- journal: the abbreviation when present, as AMA wants it: JO [journal_name], J2
  [alternate_title1], J1 [alternate_title2], then T2 [secondary_title], JF [alternate_title3].
- year: PY [year], Y1 [publication_year], DA [date] ("2019///", "2005/07/15").
- volume VL (VO in some exports), issue IS [number], pages SP-EP (SP may hold a whole range).
- DOI: DO, else a doi.org link in UR/L2, else "doi: ..." in M3/N1.
- PMID: AN [accession_number] when the database is PubMed/NLM; C5 [custom5] in Embase.
- url: first http(s) UR; accessed: Y2 [access_date]; publisher PB; edition ET (books only:
  EndNote puts the e-pub date in ET for articles).
- type: JOUR-like -> journal article (consensus statement by title), or a preprint when the
  "journal" is a preprint server (medRxiv, bioRxiv, arXiv...); BOOK/CHAP/EBOOK... -> book;
  CONF/CPAPER -> conference paper (T2 the proceedings); THES -> thesis (PB the institution,
  M3 "Master's thesis"); RPRT/GOVDOC/STAND -> report (IS, else M1, the report number);
  ELEC/WEB/BLOG -> web page; others -> journal article when a journal is named.
- editors: A2 [secondary_authors] and ED (chapters, books and conference papers).
- published: DA when a full date, else Y1 or PY when a full date ("2020/03/04/"), else a full
  date in ET (EndNote's e-pub date).
- a preprint's server: the journal, else PB when it names a known server (Zotero).
- retracted: "Retracted Publication" in M3 [type_of_work] or the keywords.
"""
from __future__ import annotations

import re

import rispy

from ._base import ImportFormatError, Mapped, date_from, doi_or_raw, first, journal_type, pages_from, pmid_or_raw, preprint_server
from ._base import thesis_kind, without_list_end, year_from
from .identifiers import find_doi
from .names import parse_name
from .records import BOOK, PAPER, PREPRINT, REPORT, THESIS, WEBPAGE, Author, CitationData
from .text import clean_text

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {0,4}-(?: (.*)|\s*)$")
_BOOK_TYPES = {"BOOK", "CHAP", "EBOOK", "ECHAP", "EDBOOK", "CTLG", "MANSCPT"}
_CHAPTER_TYPES = {"CHAP", "ECHAP"}
_WEB_TYPES = {"ELEC", "WEB", "BLOG", "ICOMM"}
_TYPES = {"CONF": PAPER, "CPAPER": PAPER, "THES": THESIS, "RPRT": REPORT, "GOVDOC": REPORT, "STAND": REPORT,
          "PREPRINT": PREPRINT}


def _records(text: str) -> list[str]:
    """Each record's lines, with tags normalised to "XX  - value" as rispy expects."""
    records: list[str] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        match = _TAG_LINE.match(line.rstrip())
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            line = f"{tag}  - {value}"
            if tag == "TY":
                if current:
                    records.append("\n".join(current + ["ER  - "]))
                current = [line]
                continue
            if tag == "ER":
                if current:
                    records.append("\n".join(current + ["ER  - "]))
                current = None
                continue
        if current is not None:
            current.append(line)
    if current:
        records.append("\n".join(current + ["ER  - "]))
    return records


def _authors(entry: dict) -> tuple[list[Author], str, bool]:
    """The people, the organisation author, and whether the list ends with "others" (cut short)."""
    people: list[Author] = []
    orgs: list[str] = []
    names, cut_short = without_list_end([*(entry.get("authors") or []), *(entry.get("first_authors") or [])])
    for raw in names:
        author = parse_name(raw)
        if author:
            people.append(author)
        elif clean_text(raw):
            orgs.append(clean_text(raw))
    return people, "; ".join(orgs), cut_short


def _pages(entry: dict) -> str:
    start, end = first(entry.get("start_page")), first(entry.get("end_page"))
    if start and end and end != start and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _editors(entry: dict) -> tuple[list[Author], bool]:
    """The editors, and whether their list ends with "others" (cut short)."""
    unknown = entry.get("unknown_tag") or {}
    names, cut_short = without_list_end([*(entry.get("secondary_authors") or []), *(unknown.get("ED") or [])])
    return [a for a in (parse_name(n) for n in names) if a], cut_short


def _type(entry: dict, title: str, journal: str) -> str:
    kind = first(entry.get("type_of_reference")).upper()
    if kind in _TYPES:
        return _TYPES[kind]
    if preprint_server(journal, at_start=True):
        return PREPRINT
    if kind in _BOOK_TYPES or kind.startswith("BOOK"):
        return BOOK
    if kind in _WEB_TYPES or kind.startswith(("WEB", "ELECTRONIC")):
        return WEBPAGE
    if not journal and kind not in {"JOUR", "JFULL", "MGZN", "NEWS", "ABST", "INPR", "JOURNAL ARTICLE"}:
        return BOOK if first(entry.get("publisher")) else WEBPAGE if entry.get("urls") else journal_type(title)
    return journal_type(title, [first(entry.get("type_of_work"))])


def _doi(entry: dict) -> str:
    if first(entry.get("doi")):
        return doi_or_raw(first(entry.get("doi")))
    for value in [*(entry.get("urls") or []), entry.get("file_attachments2"), entry.get("type_of_work"), entry.get("notes")]:
        found = find_doi(" ".join(value) if isinstance(value, list) else clean_text(value))
        if found:
            return found
    return ""


def _pmid(entry: dict) -> str:
    database = " ".join(filter(None, [first(entry.get("database_provider")), first(entry.get("name_of_database"))])).lower()
    if any(word in database for word in ("nlm", "pubmed", "medline")) and first(entry.get("accession_number")):
        return pmid_or_raw(first(entry.get("accession_number")))
    if "embase" in database and first(entry.get("custom5")).isdigit():
        return pmid_or_raw(first(entry.get("custom5")))
    return ""


def _map(entry: dict) -> CitationData:
    unknown = entry.get("unknown_tag") or {}
    authors, org, cut_short = _authors(entry)
    title = first(entry.get("title"), entry.get("primary_title"), entry.get("short_title"))
    journal = first(entry.get("journal_name"), entry.get("alternate_title1"), entry.get("alternate_title2"),
                    entry.get("secondary_title"), entry.get("alternate_title3"))
    kind = _type(entry, title, journal)
    editors, editors_cut_short = _editors(entry)
    urls = [clean_text(u) for u in entry.get("urls") or [] if clean_text(u).lower().startswith(("http://", "https://"))]
    keywords = [clean_text(k).lower() for k in entry.get("keywords") or []]
    ris_type = first(entry.get("type_of_reference")).upper()
    if kind == BOOK:  # for a chapter T2 names the book; for a whole book it is the series, not wanted
        container = first(entry.get("secondary_title")) if ris_type in _CHAPTER_TYPES else ""
    elif kind == PAPER:
        container = first(entry.get("secondary_title"), journal)
    elif kind in (THESIS, REPORT):
        container = ""
    elif kind == PREPRINT:  # Zotero writes a preprint's server as its publisher
        container = journal or preprint_server(first(entry.get("publisher")))
    else:
        container = journal
    date_text = first(entry.get("date"))
    return CitationData(
        type=kind,
        title=title,
        authors=authors,
        authors_cut_short=cut_short,
        org_author=org,
        editors=editors if kind in (BOOK, PAPER) else [],
        editors_cut_short=editors_cut_short and kind in (BOOK, PAPER),
        container_title=container,
        genre=thesis_kind(first(entry.get("type_of_work"))) if kind == THESIS else "",
        report_number=first(entry.get("number"), entry.get("note")) if kind == REPORT else "",
        year=year_from(first(entry.get("year"), entry.get("publication_year"), entry.get("date"))),
        volume=first(entry.get("volume"), unknown.get("VO")),
        issue=first(entry.get("number")) if kind != REPORT else "",
        pages=pages_from(_pages(entry)),
        doi=_doi(entry),
        pmid=_pmid(entry),
        url=urls[0] if urls else "",
        accessed=date_from(first(entry.get("access_date"))),
        # DA is the full date; EndNote writes an article's e-pub date in ET.
        published=date_from(date_text) or date_from(first(entry.get("publication_year"), entry.get("year")))
        or (date_from(first(entry.get("edition"))) if kind != BOOK else None),
        publisher=first(entry.get("publisher")),
        edition=first(entry.get("edition")) if kind == BOOK else "",
        retracted="retracted publication" in first(entry.get("type_of_work")).lower()
        or "retracted publication" in keywords,
    )


def read(text: str) -> list[Mapped]:
    chunks = _records(text)
    if not chunks:
        raise ImportFormatError('No RIS records found: each record starts with a "TY  - " line.')
    out: list[Mapped] = []
    for chunk in chunks:
        try:
            entries = rispy.loads(chunk)
            out.append(Mapped(_map(entries[0])) if entries else Mapped(None, "The record is empty."))
        except Exception as exc:  # rispy raises several types on malformed lines
            out.append(Mapped(None, f"The record could not be read: {clean_text(exc)[:200]}"))
    return out
