"""CitationData, validation, citation keys and title fingerprints."""
from datetime import date, timedelta

import pytest

from editorial.citations import Author, CitationData, citation_key, title_fingerprint, validate
from editorial.citations.validation import LIMITS


def article(**changes) -> CitationData:
    values = dict(
        type="article-journal", title="A trial", authors=[Author("Martin", "Anne")], container_title="JAMA",
        year=2019, volume="321", issue="4", pages="1-9",
    )
    values.update(changes)
    return CitationData(**values)


def test_a_complete_article_is_valid():
    assert validate(article(doi="https://doi.org/10.1001/JAMA.2019.1", pmid="30396417", url="https://jama.com/x")) == {}


def test_all_four_types_are_selectable():
    assert validate(article(type="consensus-statement")) == {}
    assert validate(CitationData(type="book", title="Book", authors=[Author("Smith", "J")], publisher="Pub", year=2000)) == {}
    assert validate(CitationData(type="webpage", title="Page", org_author="CDC", url="https://cdc.gov")) == {}
    assert validate(article(type="letter"))["type"].startswith("Choose a type: journal article, book or chapter, web page")


def test_required_fields_have_clear_messages():
    errors = validate(CitationData(type="article-journal"))
    assert errors == {
        "title": "Title is required.",
        "year": "Year is required.",
        "container_title": "Journal name is required.",
    }
    assert validate(CitationData(type="book", title="B", org_author="WHO", year=2000)) == {
        "publisher": "Publisher is required for a book."
    }
    assert validate(CitationData(type="webpage", title="P", org_author="WHO")) == {"url": "A web page needs its URL."}


def test_organisation_author_alone_is_enough():
    assert validate(article(authors=[], org_author="American Brachytherapy Society")) == {}


def test_author_without_family_name():
    assert validate(article(authors=[Author("Martin"), Author("", "Joe")])) == {"authors": "Author 2 needs a family name."}


@pytest.mark.parametrize(
    ("year", "message"),
    [(1799, "Year must be between 1800 and {next}."), (date.today().year + 2, "Year must be between 1800 and {next}."),
     ("2019", "Year must be a whole number."), (True, "Year must be a whole number.")],
)
def test_year_range(year, message):
    assert validate(article(year=year)) == {"year": message.format(next=date.today().year + 1)}


def test_year_bounds_are_inclusive():
    assert validate(article(year=1800)) == {}
    assert validate(article(year=date.today().year + 1)) == {}


def test_identifier_errors_come_from_the_normalisers():
    errors = validate(article(doi="10.12/x", pmid="0123", url="ftp://x.org/a"))
    assert errors == {
        "doi": "DOI is not valid: expected 10.<4-9 digit prefix>/<suffix of letters, digits and -._;()/:>.",
        "pmid": "PMID cannot start with 0.",
        "url": "URL must start with http:// or https://.",
    }


def test_length_limits_and_control_characters():
    errors = validate(article(title="x" * 1001, pages="1" * 51, container_title="J\x00AMA"))
    assert errors == {
        "title": "Title is too long (1001 characters; at most 1000).",
        "pages": "Pages is too long (51 characters; at most 50).",
        "container_title": "Journal or website name contains control characters.",
    }
    assert LIMITS["title"] == 1000


def test_dates_cannot_be_in_the_future():
    tomorrow_plus = date.today() + timedelta(days=3)
    errors = validate(CitationData(type="webpage", title="P", org_author="CDC", url="https://cdc.gov", accessed=tomorrow_plus))
    assert errors == {"accessed": "Accessed date cannot be in the future."}


def test_round_trip_through_dict():
    data = article(accessed=date(2024, 3, 5), retracted=True)
    raw = data.to_dict()
    assert raw["authors"] == [{"family": "Martin", "given": "Anne", "suffix": ""}]
    assert raw["accessed"] == "2024-03-05"
    assert CitationData.from_dict(raw) == data


# --- citation keys -------------------------------------------------------------

def test_key_from_first_author_and_year():
    assert citation_key(article()) == "martin2019"
    assert citation_key(article(authors=[Author("Müller-Lüdenscheidt", "K")])) == "mullerludenscheidt2019"
    assert citation_key(article(authors=[Author("de Brouwer", "APM")], year=None)) == "debrouwer" + "nd"


def test_key_from_organisation_skips_articles():
    data = article(authors=[], org_author="The American Brachytherapy Society")
    assert citation_key(data) == "american2019"


def test_key_collisions_get_letter_suffixes():
    data = article()
    assert citation_key(data, {"martin2019"}) == "martin2019a"
    assert citation_key(data, {"Martin2019", "martin2019a"}) == "martin2019b"
    taken = {"martin2019"} | {f"martin2019{chr(c)}" for c in range(ord("a"), ord("z") + 1)}
    assert citation_key(data, taken) == "martin2019aa"


def test_key_without_usable_name():
    assert citation_key(article(authors=[Author("王")])) == "anon2019"


# --- title fingerprints ----------------------------------------------------------

def test_fingerprint_ignores_case_punctuation_markup_and_diacritics():
    a = title_fingerprint("The <i>Café</i> study: effects of IL-6!", 2019)
    b = title_fingerprint("the cafe STUDY -- effects of il 6", 2019)
    assert a == b == "the cafe study effects of il 6|2019"


def test_fingerprint_keeps_year_and_non_latin_letters():
    assert title_fingerprint("Состояние  эндометрия.", None) == "состояние эндометрия|"
    assert title_fingerprint("Same", 2019) != title_fingerprint("Same", 2020)
