"""PubMed MEDLINE / .nbib reader.

The format is simple enough to read here: no maintained light parser exists (the `nbib`
package was last released in 2021, stops at the first odd line, and pulls in date
libraries; Biopython's Bio.Medline is sound but brings all of Biopython and NumPy).

Format: "TAG - value" lines with the tag left-justified in 4 columns ("PMID- ", "TI  - "),
continuation lines indented by spaces, records separated by blank lines (and each starting
with PMID). CRLF and a leading blank line are common.

Field map:
- authors: FAU "Family, Given" (full names); AU "Family Initials" when FAU is absent;
  CN (collective name) -> organisation author. Editors: FED (full), else ED; they are not
  authors ("In: Adam MP, ..., eds. GeneReviews").
- title TI (book chapters: TI is the chapter, BTI the book; a whole book has BTI alone, its title); journal TA (abbreviation),
  else JT; year from DP ("2018 Apr"); volume VI, issue IP, pages PG ("5795-813").
- DOI: LID or AID ending in " [doi]"; PMID: PMID; publisher PB.
- published: DEP, the electronic publication date (YYYYMMDD): an online-first article, or a
  preprint's posting date.
- type: PT "Book"/"Book Chapter" or a BTI -> book; PT "Preprint" -> preprint (its server in
  TA, "medRxiv"); PT "Consensus Development Conference" (or a consensus title) -> consensus
  statement; else journal article.
- retracted: PT "Retracted Publication".
"""
from __future__ import annotations

import re
from datetime import date

from ._base import ImportFormatError, Mapped, doi_or_raw, first, journal_type, matched_date, pages_from, pmid_or_raw, year_from
from .names import parse_name
from .records import BOOK, PREPRINT, Author, CitationData
from .text import clean_text

_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_DOI_TAG = re.compile(r"^(.*?)\s*\[doi\]\s*$", re.IGNORECASE)
_DEP = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _records(text: str) -> list[tuple[dict[str, list[str]], list[str]]]:
    """(fields, problems) per record: records end at a blank line or a second PMID line."""
    out: list[tuple[dict[str, list[str]], list[str]]] = []
    fields: dict[str, list[str]] = {}
    problems: list[str] = []
    last: list[str] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = _LINE.match(line)
        if not line.strip() or (match and match.group(1) == "PMID" and "PMID" in fields):
            if fields:
                out.append((fields, problems))
            fields, problems, last = {}, [], None
            if not line.strip():
                continue
        if match:
            last = fields.setdefault(match.group(1), [])
            last.append(match.group(2).strip())
        elif line[:1].isspace() and last:
            last[-1] = f"{last[-1]} {line.strip()}"  # continuation of the previous value
        else:
            problems.append(f"line {number} is not a MEDLINE tag line")
    if fields:
        out.append((fields, problems))
    return out


def _people(fields: dict[str, list[str]], full: str, short: str) -> list[Author]:
    names = fields.get(full) or fields.get(short) or []
    return [a for a in (parse_name(n) for n in names) if a]


def _epub_date(fields: dict[str, list[str]]) -> date | None:
    return matched_date(_DEP.match(first(fields.get("DEP"))))


def _doi(fields: dict[str, list[str]]) -> str:
    for value in [*fields.get("LID", []), *fields.get("AID", [])]:
        match = _DOI_TAG.match(value)
        if match:
            return doi_or_raw(match.group(1))
    return ""


def _map(fields: dict[str, list[str]]) -> CitationData:
    types = [clean_text(pt) for pt in fields.get("PT", [])]
    title = first(fields.get("TI"), fields.get("BTI"))
    book = bool(fields.get("BTI")) or any(pt.lower() in {"book", "book chapter"} for pt in types)
    preprint = any(pt.lower() == "preprint" for pt in types)
    return CitationData(
        type=BOOK if book else PREPRINT if preprint else journal_type(title, types),
        title=title,
        authors=_people(fields, "FAU", "AU"),
        editors=_people(fields, "FED", "ED"),
        published=_epub_date(fields),
        org_author="; ".join(clean_text(cn) for cn in fields.get("CN", []) if clean_text(cn)),
        # BTI is the container only beside a TI; alone it is the title of a whole book.
        container_title=(first(fields.get("BTI")) if fields.get("TI") else "") if book else first(fields.get("TA"), fields.get("JT")),
        year=year_from(first(fields.get("DP"))),
        volume=first(fields.get("VI")),
        issue=first(fields.get("IP")),
        pages=pages_from(first(fields.get("PG"))),
        doi=_doi(fields),
        pmid=pmid_or_raw(first(fields.get("PMID"))),
        publisher=first(fields.get("PB")),
        edition=first(fields.get("EN")) if book else "",
        retracted=any(pt.lower() == "retracted publication" for pt in types),
    )


def read(text: str) -> list[Mapped]:
    records = _records(text)
    if not records:
        raise ImportFormatError('No PubMed records found: expected lines such as "PMID- 12345678".')
    out = []
    for fields, problems in records:
        if "PMID" not in fields and "TI" not in fields:
            out.append(Mapped(None, "No PMID or title: " + ("; ".join(problems[:3]) or "not a PubMed record")))
            continue
        out.append(Mapped(_map(fields)))
    return out
