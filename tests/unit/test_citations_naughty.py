"""Hostile strings in citations: each is kept as typed and shown escaped in the formatted reference,
or refused with a message that names the field; never a crash, never markup that runs."""
import html
import json
import re
from dataclasses import fields
from datetime import date

import pytest

from editorial.citations import (
    Author,
    CitationData,
    ImportFormatError,
    citation_key,
    format_ama,
    format_ama_html,
    normalise_doi,
    normalise_pmid,
    parse,
    title_fingerprint,
    validate,
)
from editorial.citations.text import clean_text
from editorial.articles.rendering import inline_citation_keys
from tests.conftest import shared_path

FIELDS = {f.name for f in fields(CitationData)}
# The only markup a formatted reference holds: italic titles and the DOI or URL link.
REFERENCE_TAGS = {"em", "a"}


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    lines = shared_path("samples", "naughty", "blns.txt").read_text(encoding="utf-8", errors="replace").split("\n")
    return [line for line in lines if line and not line.startswith("#")]


def assert_sentence(message: str) -> None:
    """A message for people: it starts as a sentence and says what is wrong (no empty reason after a colon)."""
    assert isinstance(message, str) and message[:1].isupper() and not message.rstrip().endswith(":"), message


def assert_field_errors(errors: dict[str, str]) -> None:
    """Each problem is a message under the field it is about (or the record as a whole)."""
    for name, message in errors.items():
        assert name in FIELDS | {"record"}, name
        assert_sentence(message)


def title_as_shown(typed: str) -> str:
    """The title as a reference shows it: on one tidy line, without a closing full stop."""
    return clean_text(typed).rstrip(" .")


def assert_reference_shows(data: CitationData, title: str) -> None:
    """The plain reference contains the title; the HTML one contains it escaped, and no markup but its own."""
    plain, marked_up = format_ama(data), format_ama_html(data)
    if title:
        assert title in plain
        assert html.escape(title, quote=True) in marked_up
    assert {tag.lower() for tag in re.findall(r"</?([A-Za-z][\w-]*)", marked_up)} <= REFERENCE_TAGS, marked_up


def read(fmt: str, text) -> list:
    """The records a file gives, or [] when it is refused as a whole, with a message for people."""
    try:
        result = parse(fmt, text)
    except ImportFormatError as exc:
        assert_sentence(exc.message)
        return []
    for record in result.records:
        assert record.ok or record.errors
        assert_field_errors(record.errors)
        if record.data:
            assert_reference_shows(record.data, title_as_shown(record.data.title))
    return result.records


def test_a_hostile_string_in_every_field_is_kept_shown_escaped_or_refused_with_a_message(naughty):
    for s in naughty:
        data = CitationData(type="webpage", title=s, authors=[Author(s, s)], org_author=s, container_title=s, year=2020,
                            volume=s, issue=s, pages=s, doi=s, pmid=s, url=s, publisher=s, edition=s, accessed=date(2024, 1, 1))
        errors = validate(data)
        assert_field_errors(errors)
        if "title" in errors:  # refused: empty once tidied, too long, or with control characters
            assert not s.strip() or len(s) > 1000 or any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in s), s
        for kind in ("article-journal", "book", "webpage", "consensus-statement"):
            data.type = kind
            assert_reference_shows(data, title_as_shown(s))
        assert data.title == s and data.authors == [Author(s, s)]  # formatting shows the record, never rewrites it

        key = citation_key(data, {"x"})
        assert key != "x" and inline_citation_keys(f"[@{key}]") == [key]  # a key the writer can type in the text
        words, _, year = title_fingerprint(s, None).rpartition("|")
        assert year == "" and words == " ".join(words.split()) and all(ch.isalnum() or ch == " " for ch in words)

        for normalise, looks_right in ((normalise_doi, lambda v: v.startswith("10.") and v == v.lower()),
                                       (normalise_pmid, lambda v: v.isascii() and v.isdigit())):
            try:
                value = normalise(s)
            except ValueError as exc:
                assert_sentence(str(exc))
            else:
                assert looks_right(value), (s, value)


def test_hostile_values_in_each_import_format_are_read_as_typed_or_refused_with_a_message(naughty):
    for s in naughty:
        for fmt, text in (("ris", f"TY  - JOUR\nAU  - {s}\nTI  - {s}\nJO  - {s}\nPY  - {s}\nDO  - {s}\nER  - \n"),
                          ("nbib", f"PMID- {s}\nTI  - {s}\nFAU - {s}\nDP  - {s}\n")):
            # RIS and MEDLINE carry text as it is: the title is the typed one, on one tidy line
            [record] = read(fmt, text)
            assert record.data.title == clean_text(s)
            assert ("title" in record.errors) == (not clean_text(s)), record.errors
        # BibTeX and CSL-JSON may carry LaTeX ({}, $, \commands), which is read as LaTeX
        read("bibtex", f"@article{{k, author = {{{s}}}, title = {{{s}}}, year = {{{s}}}}}")
        read("csl-json", json.dumps({"type": s, "title": s, "author": [{"family": s}], "issued": {"date-parts": [[s]]}}))
        for fmt in ("ris", "nbib", "bibtex", "csl-json"):
            read(fmt, s)


def test_the_whole_naughty_file_in_each_format_is_refused_with_a_message():
    text = shared_path("samples", "naughty", "blns.txt").read_bytes()
    messages = {}
    for fmt in ("ris", "nbib", "bibtex", "csl-json"):
        with pytest.raises(ImportFormatError) as refused:
            parse(fmt, text)
        assert_sentence(refused.value.message)
        messages[fmt] = refused.value.message
    assert messages["ris"] == 'No RIS records found: each record starts with a "TY  - " line.'
    assert messages["nbib"] == 'No PubMed records found: expected lines such as "PMID- 12345678".'
    assert messages["bibtex"].startswith("No record could be read. The entry could not be read (starting ")
    assert messages["csl-json"].startswith("This is not valid JSON: ")


@pytest.mark.parametrize("text, message", [
    ("[]", "No CSL-JSON items found: expected an object or a list of objects."),
    ("null", "No CSL-JSON items found: expected an object or a list of objects."),
    ("3", "No CSL-JSON items found: expected an object or a list of objects."),
    ('"x"', "No CSL-JSON items found: expected an object or a list of objects."),
    ("[[[]]]", "No CSL-JSON items found: expected an object or a list of objects."),
    ("[" * 5000 + "]" * 5000, "This is not valid JSON: "),
], ids=["empty list", "null", "number", "string", "nested lists", "deep nesting"])
def test_odd_json_shapes_are_refused_with_a_message(text, message):
    with pytest.raises(ImportFormatError) as refused:
        parse("csl-json", text)
    assert refused.value.message.startswith(message)
    assert_sentence(refused.value.message)


@pytest.mark.parametrize("text", ["{}", '{"title": {"nested": 1}, "author": "Smith", "issued": {"date-parts": "2019"}}'],
                         ids=["empty object", "wrong shapes"])
def test_an_item_of_the_wrong_shape_is_a_record_that_says_what_is_missing(text):
    [record] = read("csl-json", text)
    assert record.errors == {"title": "Title is required.", "year": "Year is required.",
                             "container_title": "Journal name is required."}
