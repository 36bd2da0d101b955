"""Exporting citations as CSL-JSON, RIS and BibTeX, so a reference manager can take them back.

``export(format, [(key, CitationData), ...]) -> str``, with the libraries that read them
(rispy writes RIS, bibtexparser writes BibTeX). Each format is written the way this
package's readers map it back, so an exported record imported again formats the same.

An author list cut short ends with "others" in all three (BibTeX's "and others", an author
"others" in RIS, ``{"literal": "others"}`` in CSL-JSON), and each reader takes it back as "et al".

Known losses (the formats have no place for them): RIS has no organisation
author tag, so one is written as an author and read back as an organisation when it is
more than one word or an acronym ("WHO"); a consensus statement is an article in RIS and
BibTeX (it is read back as one when its title says so); a web page's "Updated" date has
no field in any of the three; the retraction mark is kept in RIS only (M3 and KW
"Retracted Publication", as PubMed writes it); the daily retraction check asks Crossref
again about every source with a DOI.
"""
from __future__ import annotations

import json
from datetime import date

import bibtexparser
import rispy
from bibtexparser import model

from .formatting import is_chapter
from .records import ARTICLE, BOOK, CONSENSUS, PAPER, PREPRINT, REPORT, THESIS, WEBPAGE, Author, CitationData

EXPORT_FORMATS: dict[str, tuple[str, str]] = {  # format -> (media type, file extension)
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
    "ris": ("application/x-research-info-systems", "ris"),
    "bibtex": ("application/x-bibtex", "bib"),
}
_CSL_OTHERS = {"literal": "others"}  # as citeproc and Zotero write BibTeX's "and others"
_CSL_TYPES = {PREPRINT: "article"}  # Zotero's name for a preprint; the others are CSL names already
_RIS_TYPES = {ARTICLE: "JOUR", CONSENSUS: "JOUR", PREPRINT: "JOUR", WEBPAGE: "ELEC", PAPER: "CPAPER", THESIS: "THES",
              REPORT: "RPRT"}
_BIBTEX_TYPES = {ARTICLE: "article", CONSENSUS: "article", PREPRINT: "misc", WEBPAGE: "online", PAPER: "inproceedings",
                 REPORT: "techreport"}
_LATEX_SPECIALS = str.maketrans({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                                 "~": r"\textasciitilde{}", "\\": r"\textbackslash{}"})


def _date_parts(value: date) -> list[int]:
    return [value.year, value.month, value.day]


def _ended(names: list, cut_short: bool, others) -> list:
    """The names, closed with the format's "others" when the list was cut short (read back as "et al")."""
    return [*names, others] if cut_short else names


# --- CSL-JSON ----------------------------------------------------------------------------------

def _csl_name(author: Author) -> dict:
    return {k: v for k, v in (("family", author.family), ("given", author.given), ("suffix", author.suffix)) if v}


def to_csl(key: str, data: CitationData) -> dict:
    csl_type = "chapter" if is_chapter(data) else _CSL_TYPES.get(data.type, data.type)
    item: dict = {"id": key, "type": csl_type, "title": data.title}
    authors = [_csl_name(a) for a in data.authors] + ([{"literal": data.org_author}] if data.org_author else [])
    authors = _ended(authors, data.authors_cut_short, _CSL_OTHERS)
    if authors:
        item["author"] = authors
    if data.editors:
        item["editor"] = _ended([_csl_name(a) for a in data.editors], data.editors_cut_short, _CSL_OTHERS)
    if data.published and (not data.year or data.published.year == data.year):
        item["issued"] = {"date-parts": [_date_parts(data.published)]}
    elif data.year:
        item["issued"] = {"date-parts": [[data.year]]}
        if data.published:  # published online the year before the issue: Crossref's way of saying both
            item["published-online"] = {"date-parts": [_date_parts(data.published)]}
    if data.accessed:
        item["accessed"] = {"date-parts": [_date_parts(data.accessed)]}
    for name, value in (("container-title", data.container_title), ("volume", data.volume), ("issue", data.issue),
                        ("page", data.pages), ("DOI", data.doi), ("PMID", data.pmid), ("URL", data.url),
                        ("publisher", data.publisher), ("edition", data.edition), ("genre", data.genre),
                        ("number", data.report_number)):
        if value:
            item[name] = value
    return item


# --- RIS ---------------------------------------------------------------------------------------

def _ris_name(author: Author) -> str:
    return ", ".join(p for p in (author.family, author.given, author.suffix) if p)


def _ris_date(value: date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def to_ris(data: CitationData) -> dict:
    kind = "CHAP" if is_chapter(data) else _RIS_TYPES.get(data.type, "BOOK")
    entry: dict = {"type_of_reference": kind, "title": data.title}
    authors = _ended([_ris_name(a) for a in data.authors] + ([data.org_author] if data.org_author else []),
                     data.authors_cut_short, "others")
    if authors:
        entry["authors"] = authors
    if data.editors:
        entry["secondary_authors"] = _ended([_ris_name(a) for a in data.editors], data.editors_cut_short, "others")
    if data.container_title:
        entry["journal_name" if kind in ("JOUR", "ELEC") else "secondary_title"] = data.container_title
    start, _, end = data.pages.partition("-")
    for name, value in (("year", str(data.year or "")), ("volume", data.volume), ("start_page", start), ("end_page", end),
                        ("doi", data.doi), ("publisher", data.publisher), ("type_of_work", data.genre),
                        ("number", data.report_number if data.type == REPORT else data.issue),
                        ("edition", data.edition if data.type == BOOK else "")):
        if value:
            entry[name] = value
    if data.published:
        entry["date"] = _ris_date(data.published)
    if data.accessed:
        entry["access_date"] = _ris_date(data.accessed)
    if data.url:
        entry["urls"] = [data.url]
    if data.pmid:
        entry["accession_number"], entry["name_of_database"] = data.pmid, "PubMed"
    if data.retracted:  # as PubMed writes it; a thesis's M3 is its kind, so there only the keyword
        entry["keywords"] = ["Retracted Publication"]
        if data.type != THESIS:
            entry["type_of_work"] = "Retracted Publication"
    return entry


# --- BibTeX ------------------------------------------------------------------------------------

def _latex(value: str) -> str:
    return value.translate(_LATEX_SPECIALS)


def _bibtex_name(author: Author) -> str:
    return ", ".join(_latex(p) for p in (author.family, author.suffix, author.given) if p)


def to_bibtex(key: str, data: CitationData) -> model.Entry:
    if data.type == THESIS:
        entry_type = "mastersthesis" if "master" in data.genre.lower() else "phdthesis"
    elif data.type == BOOK:
        entry_type = "incollection" if is_chapter(data) else "book"
    else:
        entry_type = _BIBTEX_TYPES.get(data.type, "misc")
    names = [_bibtex_name(a) for a in data.authors] + ([f"{{{_latex(data.org_author)}}}"] if data.org_author else [])
    editors = [_bibtex_name(a) for a in data.editors]
    values: list[tuple[str, str]] = [("author", " and ".join(_ended(names, data.authors_cut_short, "others"))),
                                     ("editor", " and ".join(_ended(editors, data.editors_cut_short, "others"))),
                                     ("title", _latex(data.title))]
    container = _latex(data.container_title)
    if data.type in (ARTICLE, CONSENSUS):
        values.append(("journal", container))
    elif data.type == PREPRINT:
        values.append(("howpublished", container))
    elif data.type == WEBPAGE:
        values.append(("organization", container))
    elif data.type in (BOOK, PAPER):
        values.append(("booktitle", container))
    institution = {THESIS: "school", REPORT: "institution"}.get(data.type, "publisher")
    values += [
        ("year", str(data.year or "")), ("date", data.published.isoformat() if data.published else ""),
        ("volume", _latex(data.volume)), ("number", _latex(data.report_number if data.type == REPORT else data.issue)),
        ("pages", data.pages.replace("-", "--")), (institution, _latex(data.publisher)), ("edition", _latex(data.edition)),
        ("type", _latex(data.genre) if data.type == THESIS and data.genre not in ("", "Dissertation", "Master's thesis") else ""),
        ("doi", data.doi), ("pmid", data.pmid), ("url", data.url),
        ("urldate", data.accessed.isoformat() if data.accessed else ""),
    ]
    return model.Entry(entry_type, key, [model.Field(name, value) for name, value in values if value])


def export(fmt: str, records: list[tuple[str, CitationData]]) -> str:
    """The records as one file in ``fmt`` ("csl-json", "ris" or "bibtex"); ValueError for another format."""
    if fmt == "csl-json":
        return json.dumps([to_csl(key, data) for key, data in records], ensure_ascii=False, indent=2) + "\n"
    if fmt == "ris":
        return rispy.dumps([to_ris(data) for _, data in records]) if records else ""
    if fmt == "bibtex":
        library = bibtexparser.Library()
        for key, data in records:
            library.add(to_bibtex(key, data))
        return bibtexparser.write_string(library)
    raise ValueError(f"Unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}.")
