"""References in AMA Manual of Style, 11th edition.

``format_ama`` gives plain text; ``format_ama_html`` gives the same reference HTML-escaped,
with journal and book titles in <em> and the DOI (or a web page's URL) as a link.

Rules:
- Authors: "Family Initials Suffix" without full stops ("Tom MC", "Coe RT Jr"); all authors
  when there are 6 or fewer, otherwise the first 3 and "et al." (also when the export cut
  the list short with "and others"). An organisation author is written out; after named
  people it follows a semicolon ("Tom MC, Joshi N; American Brachytherapy Society.", and
  "Tom MC, Joshi N, Vicini F, et al; American Brachytherapy Society."). No author at all:
  the reference starts with its title.
- Journal article and consensus statement:
  ``Authors. Title. Journal. Year;Volume(Issue):Pages. doi:10.xxxx/yyyy``
  (an ISO journal abbreviation loses its full stops, as NLM writes it: "Int. J. Surg. Case
  Rep." -> "Int J Surg Case Rep"; page ranges written in full, "349-69" -> "349-369",
  "S349-69" -> "S349-S369"; an e-locator "e0123456" as given).
  Without a DOI: "Accessed Month Day, Year. URL" when a URL is stored.
- Journal article published online first (a ``published`` date, no volume or issue):
  ``Authors. Title. Journal. Published online Month Day, Year. doi:...``
- Book: ``Authors. Title of Book. 2nd ed. Vol 8842. Publisher; Year.`` (first editions are
  not stated). An edited book without authors starts ``Editors, eds.``. A book whose
  ``container_title`` differs from its publisher is a chapter:
  ``Authors. Chapter title. In: Editors, eds. Book Title. Publisher; Year:Pages.``
  (editors as authors are listed, "et al, eds" past six; "ed" for one).
- Conference paper: ``Authors. Title. In: Editors, eds. Proceedings. Vol N. Publisher; Year:Pages.``
- Thesis: ``Author. Title. Dissertation (or Master's thesis). Institution; Year.``
- Preprint: ``Authors. Title. medRxiv. Preprint posted online Month Day, Year. doi:...``
- Report or guideline: ``Group or authors. Title. Report number. Publisher; Year. Accessed
  Month Day, Year. URL`` (titles of books, theses and reports in italics).
- Web page: ``Author or Org. Title. Website name. Published Month Day, Year. Updated
  Month Day, Year. Accessed Month Day, Year. URL`` (date parts only when known; with only a
  year, "Published 2023.").
- Nothing is added after the DOI or URL; a full stop is not doubled after text ending in
  ".", "?" or "!".

A hand-written formatter is used rather than citeproc-py with the AMA CSL style: that
renderer did not escape HTML, repeated the title for records without authors, and has no
"Published"/"Updated" wording for web pages.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from .identifiers import doi_url, normalise_doi
from .names import initials
from .records import BOOK, PAPER, PREPRINT, REPORT, THESIS, WEBPAGE, CitationData
from .text import clean_text

MAX_LISTED_AUTHORS = 6
ET_AL_AUTHORS = 3
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]+\s*")
_ORDINAL = {"1": "st", "2": "nd", "3": "rd"}
_PREFIXED_PAGE = re.compile(r"^([A-Za-z]{0,3})(\d+)$")
_TRADEMARKS = re.compile(r"\s?\([®™]\)|(?<=\w)[®™](?=$|[\s.,;:)])")  # "GeneReviews(®)", "Xarelto®"
_DOTTED_INITIALS = re.compile(r"^(?:[A-Z]\.){2,}$")  # "U.S.A.", "N.Y."
_LINKING_WORDS = {"of", "the", "and", "for", "in", "on", "de", "la", "des", "du", "und", "für", "et", "&"}
# Words NLM always shortens ("J", "Univ", "Rev"...): written out, they mark a full name.
_FULL_NAME_WORDS = {"journal", "university", "review", "reviews", "annals", "proceedings", "society", "association",
                    "international", "research", "medicine", "bulletin", "quarterly", "transactions"}


@dataclass(frozen=True)
class _Piece:
    text: str
    kind: str = "text"  # "text", "em" (italic title), "doi", "url"


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "?", "!"))


def _sentence(pieces: list[_Piece]) -> list[_Piece]:
    """The pieces followed by a full stop unless the last already ends a sentence."""
    if pieces and not _ends_sentence(pieces[-1].text):
        pieces = [*pieces, _Piece(".")]
    return pieces


def long_date(value: date) -> str:
    """"March 5, 2024", independent of the server locale."""
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def full_pages(pages: str) -> str:
    """Hyphenated, complete page range: "242–257" -> "242-257", "349-69" -> "349-369",
    "S349-69" -> "S349-S369" (a letter prefix is repeated); an e-locator stays as given."""
    pages = _DASHES.sub("-", clean_text(pages))
    start, sep, end = pages.partition("-")
    first, last = _PREFIXED_PAGE.match(start), _PREFIXED_PAGE.match(end)
    if not (sep and first and last) or (last.group(1) and last.group(1) != first.group(1)):
        return pages
    prefix, start_digits, end_digits = first.group(1), first.group(2), last.group(2)
    if len(end_digits) < len(start_digits):
        end_digits = start_digits[: len(start_digits) - len(end_digits)] + end_digits
    return f"{prefix}{start_digits}-{prefix}{end_digits}"


def _is_abbreviated(word: str) -> bool:
    """"Surg.", "Ärztebl.", "(Engl.", "Ed.)": a capitalised word (of any alphabet) shortened with a full stop."""
    core = word.strip("()[]")
    return (len(core) >= 2 and core.endswith(".") and core[:-1].isalpha() and core[0].isupper()
            and (len(core) == 2 or core[1:-1].islower()))


def _abbreviation_words(title: str) -> list[str]:
    """The words of an abbreviation, hyphens resolved as NLM does: "Heart J.-Cardiovasc." is two words,
    "Neuro-Oncol." one ("Neurooncol.")."""
    words = []
    for word in title.split():
        for part in word.replace(".-", ". ").split():
            pieces = part.split("-")
            if len(pieces) > 1 and part.endswith(".") and all(p[:1].isupper() and p.rstrip(".").isalpha() for p in pieces):
                part = pieces[0] + "".join(p.lower() for p in pieces[1:])
            words.append(part)
    return words


def journal_abbreviation(value: str) -> str:
    """An ISO-style abbreviation in NLM form, without full stops: "Int. J. Surg. Case Rep." ->
    "Int J Surg Case Rep", "U.S.A." -> "U S A", "J. Neuro-Oncol." -> "J Neurooncol", "Rev. Esp.
    Cardiol. (Engl. Ed.)" -> "Rev Esp Cardiol (Engl Ed)"; a linking word does not stop it ("IEEE
    Trans. on Circuits and Systems." -> "IEEE Trans on Circuits and Systems"). A full journal name is
    returned as given: one with a word NLM would shorten ("Journal", "University"), no abbreviated
    word at all, or with a linking word and only a closing full stop ("Heart and Lung.")."""
    title = clean_text(value)
    words = _abbreviation_words(title)
    if not any(_is_abbreviated(w) for w in words) or any(w.lower() in _FULL_NAME_WORDS for w in title.split()):
        return title
    # With a linking word, only an abbreviated word before the last ("IEEE Trans. on Circuits and Systems.")
    # makes an abbreviation: "Heart and Lung." is a full name with a closing full stop.
    if any(w.lower() in _LINKING_WORDS for w in words) and not any(_is_abbreviated(w) for w in words[:-1]):
        return title
    if any(not _is_abbreviated(w) and w.strip("()[]").endswith(".") and not _DOTTED_INITIALS.match(w) for w in words):
        return title  # a full stop that is not an abbreviation's ("Phys.Rev." typed together): leave it
    out = []
    for word in words:
        if _DOTTED_INITIALS.match(word):
            out.append(" ".join(word.replace(".", " ").split()))
        else:
            out.append(word.replace(".", "") if _is_abbreviated(word) else word)
    return " ".join(out)


def _edition(value: str) -> str:
    edition = clean_text(value).rstrip(".")
    if not edition or edition.lower() in {"1", "1st", "first"}:
        return ""
    lowered = edition.lower()
    if lowered.endswith(" edition"):
        return edition[: -len("edition")] + "ed."
    if lowered.endswith((" ed", " edn")):
        return edition + "."
    if edition.isdigit():
        suffix = "th" if edition[-2:] in {"11", "12", "13"} else _ORDINAL.get(edition[-1], "th")
        edition += suffix
    return f"{edition} ed."


def _person(author) -> str:
    return " ".join(p for p in (clean_text(author.family), initials(author.given), clean_text(author.suffix)) if p)


def _names(people: list, cut_short: bool = False) -> str:
    """"Tom MC, Joshi N" or, past six names (or for a list an export cut short), the first
    three and "et al" (the caller adds the full stop, or a semicolon or ", eds")."""
    names = [_person(a) for a in people if clean_text(a.family)]
    if len(names) > MAX_LISTED_AUTHORS or (cut_short and names):
        names = [*names[:ET_AL_AUTHORS], "et al"]
    return ", ".join(names)


def _editor_names(data: CitationData) -> str:
    """"Adam MP, Ardinger HH, Pagon RA, et al, eds" / "Kim B, ed"; "" without editors."""
    names = _names(data.editors, data.editors_cut_short)
    if not names:
        return ""
    return f"{names}, {'eds' if len(data.editors) > 1 or data.editors_cut_short else 'ed'}"


def _author_names(data: CitationData) -> str:
    if not data.authors and not clean_text(data.org_author) and data.type in (BOOK, PAPER):
        editors = _editor_names(data)  # an edited book: its editors stand where authors would
        return f"{editors}." if editors and not data.container_title else ""
    names = _names(data.authors, data.authors_cut_short)
    org = clean_text(data.org_author)
    if org:
        names = f"{names}; {org}" if names else org
    elif names.endswith("et al"):
        names += "."
    return names


def _title(value: str) -> str:
    return clean_text(value).rstrip(" .")


def _identifier(data: CitationData) -> list[_Piece]:
    """doi:..., or Accessed date + URL when there is no usable DOI."""
    if data.doi:
        try:
            doi = normalise_doi(data.doi)
        except ValueError:
            doi = ""
        if doi:
            return [_Piece("doi:"), _Piece(doi, "doi")]
    url = clean_text(data.url)
    if not url:
        return []
    out: list[_Piece] = []
    if data.accessed:
        out.append(_Piece(f"Accessed {long_date(data.accessed)}. "))
    return [*out, _Piece(url, "url")]


def _journal(data: CitationData) -> list[list[_Piece]]:
    issue_part = ""
    volume, issue, pages = clean_text(data.volume), clean_text(data.issue), full_pages(data.pages)
    if data.published and not volume and not issue:  # online first: no volume yet
        return [
            [_Piece(_title(data.title))],
            [_Piece(journal_abbreviation(data.container_title), "em")],
            [_Piece(f"Published online {long_date(data.published)}")],
        ]
    if volume:
        issue_part += f";{volume}"
    if issue:
        issue_part += f"({issue})" if volume else f";({issue})"
    if pages:
        issue_part += f":{pages}"
    locator = f"{data.year or ''}{issue_part}".lstrip(";:")
    return [
        [_Piece(_title(data.title))],
        [_Piece(journal_abbreviation(data.container_title), "em")],
        [_Piece(locator)],
    ]


def _imprint(publisher: str, data: CitationData, with_pages: bool) -> str:
    imprint = "; ".join(p for p in (publisher, str(data.year or "")) if p)
    if with_pages and data.pages:
        imprint += f":{full_pages(data.pages)}"
    return imprint


def _volume(data: CitationData) -> str:
    volume = clean_text(data.volume)
    return f"Vol {volume}" if volume else ""


def is_chapter(data: CitationData) -> bool:
    """A book record that is a chapter of the book in ``container_title``: one with its own publisher,
    or with the book's editors. Without either, the container is read as the publisher (older records)."""
    publisher, book_title = clean_text(data.publisher), clean_text(data.container_title)
    return (data.type == BOOK and bool(book_title) and book_title.casefold() != publisher.casefold()
            and bool(publisher or data.editors))


def _book(data: CitationData) -> list[list[_Piece]]:
    """A book, a chapter in one (``container_title``), or a paper in a proceedings."""
    publisher = clean_text(data.publisher)
    book_title = clean_text(data.container_title)
    if data.type == PAPER:
        part_of = bool(book_title)
    else:
        part_of = is_chapter(data)
        publisher = publisher if part_of else publisher or book_title
    parts: list[list[_Piece]] = []
    if part_of:
        editors = _editor_names(data)
        parts += [[_Piece(_title(data.title))],
                  [_Piece(f"In: {editors}. " if editors else "In: "), _Piece(book_title, "em")]]
    else:
        parts.append([_Piece(_title(data.title), "em")])
    return [*parts, [_Piece(_edition(data.edition))], [_Piece(_volume(data))],
            [_Piece(_imprint(publisher, data, with_pages=part_of))]]


def _thesis(data: CitationData) -> list[list[_Piece]]:
    return [
        [_Piece(_title(data.title), "em")],
        [_Piece(clean_text(data.genre).rstrip(".") or "Dissertation")],
        [_Piece(_imprint(clean_text(data.publisher), data, with_pages=False))],
    ]


def _preprint(data: CitationData) -> list[list[_Piece]]:
    posted = long_date(data.published) if data.published else str(data.year or "")
    return [
        [_Piece(_title(data.title))],
        [_Piece(clean_text(data.container_title))],
        [_Piece(f"Preprint posted online {posted}" if posted else "Preprint")],
    ]


def _report(data: CitationData) -> list[list[_Piece]]:
    return [
        [_Piece(_title(data.title), "em")],
        [_Piece(clean_text(data.report_number))],
        [_Piece(_edition(data.edition))],
        [_Piece(_imprint(clean_text(data.publisher), data, with_pages=False))],
    ]


def _webpage(data: CitationData) -> list[list[_Piece]]:
    if data.published:
        published = f"Published {long_date(data.published)}"
    elif data.year:
        published = f"Published {data.year}"
    else:
        published = ""
    updated = f"Updated {long_date(data.updated)}" if data.updated else ""
    return [
        [_Piece(_title(data.title))],
        [_Piece(clean_text(data.container_title))],
        [_Piece(published)],
        [_Piece(updated)],
    ]


def _pieces(data: CitationData) -> list[_Piece]:
    if data.type in (BOOK, PAPER):
        body = _book(data)
    elif data.type == THESIS:
        body = _thesis(data)
    elif data.type == PREPRINT:
        body = _preprint(data)
    elif data.type == REPORT:
        body = _report(data)
    elif data.type == WEBPAGE:
        body = _webpage(data)
    else:  # journal article and consensus statement
        body = _journal(data)
    sentences = [[_Piece(_author_names(data))], *body]
    out: list[_Piece] = []
    for sentence in sentences:
        # AMA prints no trademark signs: "GeneReviews(®)" is GeneReviews
        sentence = [_Piece(_TRADEMARKS.sub("", p.text), p.kind) for p in sentence]
        sentence = [p for p in sentence if p.text]
        if sentence:
            out += _sentence(sentence) + [_Piece(" ")]
    out += _identifier(data)
    while out and out[-1].text == " ":
        out.pop()
    return out


def format_ama(data: CitationData) -> str:
    """The AMA reference as plain text."""
    return "".join(p.text for p in _pieces(data))


def _html_piece(piece: _Piece) -> str:
    text = html.escape(piece.text, quote=True)
    if piece.kind == "em":
        return f"<em>{text}</em>"
    if piece.kind == "doi":
        return f'<a href="{html.escape(doi_url(piece.text), quote=True)}">{text}</a>'
    if piece.kind == "url" and piece.text.lower().startswith(("http://", "https://")):
        return f'<a href="{text}">{text}</a>'
    return text


def format_ama_html(data: CitationData) -> str:
    """The AMA reference as escaped HTML with <em> titles and linked DOI/URL."""
    return "".join(_html_piece(p) for p in _pieces(data))
