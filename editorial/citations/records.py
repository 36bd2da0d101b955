"""The structured citation record.

Rules:
- ``type`` is one of ``CITATION_TYPES``. A consensus statement is a journal article that a
  professional society published as its consensus; it keeps its own selectable type but
  is formatted and validated exactly like "article-journal" (``is_journal_article``).
- Text fields are plain strings, "" when unknown; ``year`` and the dates are None when unknown.
- Authors are people (family + given names + suffix); an organisation author goes in
  ``org_author``. Both may be present (a named writing group of a society); neither is
  required. ``editors`` are the people who edited the book or proceedings that contains a
  chapter or paper (or a whole edited book without authors).
- Conference paper: ``container_title`` is the proceedings. Thesis: ``publisher`` is the
  institution, ``genre`` "Dissertation" (the default) or "Master's thesis". Preprint:
  ``container_title`` is the server (medRxiv, bioRxiv, arXiv). Report or guideline:
  ``report_number`` as the issuer writes it ("NICE guideline NG28"), ``publisher`` the issuer.
- ``published`` is the full publication date when known: a web page's, the posting date of
  a preprint, or an online-first article's (printed when it has no volume yet).
- For books, ``publisher`` is the publisher. ``container_title`` of a book is the book that
  contains the cited chapter ("In: GeneReviews"); when ``publisher`` is empty, a book's
  ``container_title`` is taken as its publisher, so a form that stores the publisher there
  still formats correctly.
- ``doi`` is stored normalised (lowercase, no resolver prefix) when valid.
- ``retracted`` is set by importers from PubMed's "Retracted Publication" type.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date

ARTICLE = "article-journal"
BOOK = "book"
WEBPAGE = "webpage"
CONSENSUS = "consensus-statement"
PAPER = "paper-conference"
THESIS = "thesis"
PREPRINT = "preprint"
REPORT = "report"
CITATION_TYPES: tuple[str, ...] = (ARTICLE, BOOK, WEBPAGE, CONSENSUS, PAPER, THESIS, PREPRINT, REPORT)
TYPE_LABELS = {
    ARTICLE: "Journal article",
    BOOK: "Book or chapter",
    WEBPAGE: "Web page",
    CONSENSUS: "Consensus statement",
    PAPER: "Conference paper",
    THESIS: "Thesis",
    PREPRINT: "Preprint",
    REPORT: "Report or guideline",
}


@dataclass(frozen=True)
class Author:
    family: str
    given: str = ""
    suffix: str = field(default="", metadata={"description": '"Jr", "III".'})  # printed after the initials, without a full stop

    def to_dict(self) -> dict[str, str]:
        return {"family": self.family, "given": self.given, "suffix": self.suffix}

    @classmethod
    def from_dict(cls, raw: dict) -> "Author":
        return cls(family=str(raw.get("family") or ""), given=str(raw.get("given") or ""),
                   suffix=str(raw.get("suffix") or ""))


@dataclass
class CitationData:
    type: str = ARTICLE
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    authors_cut_short: bool = False  # the export ended the list with "and others": print "et al"
    org_author: str = ""
    container_title: str = ""  # journal (abbreviation as given), website name, or book containing a chapter
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    accessed: date | None = None  # web pages: when the author looked at it
    published: date | None = field(default=None, metadata={
        "description": "Full publication date: online first, a preprint's posting, a web page's."})
    updated: date | None = None  # web pages: "Updated" date
    publisher: str = ""
    edition: str = ""
    editors: list[Author] = field(default_factory=list, metadata={
        "description": "Of the book or proceedings that contains a chapter or paper."})
    editors_cut_short: bool = False  # the export ended the editors with "and others": print "et al, eds"
    genre: str = field(default="", metadata={"description": 'Theses: "Dissertation" (the default) or "Master\'s thesis".'})
    report_number: str = field(default="", metadata={
        "description": 'Reports and guidelines, as the issuer writes it ("NICE guideline NG28").'})
    retracted: bool = False

    @property
    def is_journal_article(self) -> bool:
        return self.type in (ARTICLE, CONSENSUS)

    def to_dict(self) -> dict:
        """JSON-ready dict: authors as {family, given}, dates as ISO strings."""
        out = asdict(self)
        for name in ("accessed", "published", "updated"):
            value = getattr(self, name)
            out[name] = value.isoformat() if value else None
        return out

    @classmethod
    def from_dict(cls, raw: dict) -> "CitationData":
        """The inverse of ``to_dict``; unknown keys are ignored, authors may be dicts."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        for name in ("authors", "editors"):
            values[name] = [a if isinstance(a, Author) else Author.from_dict(a) for a in raw.get(name) or []]
        for name in ("accessed", "published", "updated"):
            value = values.get(name)
            if isinstance(value, str):
                values[name] = date.fromisoformat(value) if value else None
        return cls(**values)
