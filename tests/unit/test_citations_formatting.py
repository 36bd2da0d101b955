"""AMA 11th edition references: exact strings."""
from datetime import date

import pytest

from editorial.citations import Author, CitationData, format_ama, format_ama_html
from editorial.citations.formatting import full_pages
from editorial.citations.names import initials

# The 2019 ABS consensus statement on IORT has 17 authors. The first three are real;
# the rest are placeholders, there only to make the list longer than six.
ABS_AUTHORS = [Author("Tom", "Martin C"), Author("Joshi", "Nikhil"), Author("Vicini", "Frank")] + [
    Author(f"Placeholder{n}", "A B") for n in range(4, 18)
]
ABS = CitationData(
    type="consensus-statement",
    title="The American Brachytherapy Society consensus statement on intraoperative radiation therapy",
    authors=ABS_AUTHORS,
    container_title="Brachytherapy",
    year=2019, volume="18", issue="3", pages="242-257",
    doi="10.1016/j.brachy.2018.12.005",
)
ABS_AMA = (
    "Tom MC, Joshi N, Vicini F, et al. The American Brachytherapy Society consensus statement on "
    "intraoperative radiation therapy. Brachytherapy. 2019;18(3):242-257. doi:10.1016/j.brachy.2018.12.005"
)


def test_abs_consensus_statement():
    assert len(ABS.authors) == 17
    assert format_ama(ABS) == ABS_AMA


def test_consensus_statement_is_formatted_like_a_journal_article():
    from dataclasses import replace

    assert format_ama(replace(ABS, type="article-journal")) == ABS_AMA


def test_abs_html():
    assert format_ama_html(ABS) == (
        "Tom MC, Joshi N, Vicini F, et al. The American Brachytherapy Society consensus statement on "
        "intraoperative radiation therapy. <em>Brachytherapy</em>. 2019;18(3):242-257. "
        'doi:<a href="https://doi.org/10.1016/j.brachy.2018.12.005">10.1016/j.brachy.2018.12.005</a>'
    )


def _article(n_authors: int) -> CitationData:
    names = [("Tom", "Martin C"), ("Joshi", "Nikhil"), ("Vicini", "Frank"), ("Chang", "Albert J"), ("Hsu", "I-Chow"),
             ("Showalter", "Timothy N"), ("Chadha", "Manjeet")]
    return CitationData(title="Six", authors=[Author(f, g) for f, g in names[:n_authors]], container_title="JAMA",
                        year=2020, volume="1", pages="1-2")


def test_six_authors_are_all_listed():
    assert format_ama(_article(6)) == "Tom MC, Joshi N, Vicini F, Chang AJ, Hsu I-C, Showalter TN. Six. JAMA. 2020;1:1-2."


def test_seven_authors_become_three_and_et_al():
    assert format_ama(_article(7)) == "Tom MC, Joshi N, Vicini F, et al. Six. JAMA. 2020;1:1-2."


def test_organisation_author_written_out_and_after_people():
    data = CitationData(title="Guideline", org_author="American Brachytherapy Society", container_title="Brachytherapy", year=2019)
    assert format_ama(data) == "American Brachytherapy Society. Guideline. Brachytherapy. 2019."
    data.authors = [Author("Tom", "Martin C")]
    assert format_ama(data) == "Tom MC; American Brachytherapy Society. Guideline. Brachytherapy. 2019."


def test_book():
    data = CitationData(type="book", title="Title of Book", authors=[Author("Author", "A A")], publisher="Publisher", year=2018)
    assert format_ama(data) == "Author AA. Title of Book. Publisher; 2018."
    assert format_ama_html(data) == "Author AA. <em>Title of Book</em>. Publisher; 2018."


def test_book_edition_and_publisher_in_container_title():
    data = CitationData(type="book", title="Citing Medicine", authors=[Author("Patrias", "Karen")],
                        container_title="National Library of Medicine (US)", year=2007, edition="2")
    assert format_ama(data) == "Patrias K. Citing Medicine. 2nd ed. National Library of Medicine (US); 2007."
    data.edition = "1st"
    assert format_ama(data) == "Patrias K. Citing Medicine. National Library of Medicine (US); 2007."


def test_book_chapter():
    data = CitationData(type="book", title="Feingold Syndrome 1.", authors=[Author("Marcelis", "Carlo LM"), Author("de Brouwer", "Arjan PM")],
                        container_title="GeneReviews", publisher="University of Washington, Seattle", year=1993)
    assert format_ama(data) == "Marcelis CLM, de Brouwer APM. Feingold Syndrome 1. In: GeneReviews. University of Washington, Seattle; 1993."
    assert "In: <em>GeneReviews</em>." in format_ama_html(data)


def test_web_page_with_organisation_and_dates():
    data = CitationData(
        type="webpage", title="Cancer statistics", org_author="Centers for Disease Control and Prevention",
        container_title="CDC", published=date(2023, 6, 1), updated=date(2024, 1, 9), accessed=date(2024, 3, 5),
        url="https://www.cdc.gov/cancer",
    )
    assert format_ama(data) == (
        "Centers for Disease Control and Prevention. Cancer statistics. CDC. Published June 1, 2023. "
        "Updated January 9, 2024. Accessed March 5, 2024. https://www.cdc.gov/cancer"
    )
    assert format_ama_html(data).endswith(
        'Accessed March 5, 2024. <a href="https://www.cdc.gov/cancer">https://www.cdc.gov/cancer</a>'
    )


def test_web_page_with_only_a_year_and_no_dates():
    data = CitationData(type="webpage", title="Page", org_author="WHO", container_title="WHO", year=2020, url="https://who.int/p")
    assert format_ama(data) == "WHO. Page. WHO. Published 2020. https://who.int/p"


def test_article_without_doi_uses_url_and_accessed():
    data = CitationData(title="Collaborative reflective experience", authors=[Author("Raphael", "Jo-Anne")],
                        container_title="Creative approaches to research", year=2016, volume="9", issue="1", pages="84–110",
                        url="http://dro.deakin.edu.au/view/DU:30088291", accessed=date(2016, 12, 22))
    assert format_ama(data) == (
        "Raphael J-A. Collaborative reflective experience. Creative approaches to research. 2016;9(1):84-110. "
        "Accessed December 22, 2016. http://dro.deakin.edu.au/view/DU:30088291"
    )


def test_no_doubled_full_stops_and_question_marks_kept():
    data = CitationData(title="What Can Article-Level Metrics Do for You?", authors=[Author("Fenner", "Martin")],
                        container_title="J. Chem. Phys.", year=2013, volume="11", issue="10", pages="e1001687")
    assert format_ama(data) == "Fenner M. What Can Article-Level Metrics Do for You? J Chem Phys. 2013;11(10):e1001687."


def test_html_escapes_everything():
    data = CitationData(title='<script>alert("x")</script> & IL-6 <10 pg/mL', authors=[Author("O'Brien", "Seán")],
                        container_title="<b>J</b>", year=2019, url="javascript:alert(1)")
    out = format_ama_html(data)
    assert "<script>" not in out and "<b>" not in out
    assert out == (
        "O&#x27;Brien S. &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; IL-6 &lt;10 pg/mL. "
        "<em>J</em>. 2019. javascript:alert(1)"  # inline markup tags are dropped, other text escaped
    )


@pytest.mark.parametrize(("pages", "expected"), [("349-69", "349-369"), ("5795-813", "5795-5813"), ("242–257", "242-257"),
                                                 ("e16881", "e16881"), ("1005 - 1022", "1005-1022"), ("S1-S9", "S1-S9")])
def test_page_ranges_are_written_in_full(pages, expected):
    assert full_pages(pages) == expected


@pytest.mark.parametrize(("given", "expected"), [("Martin C", "MC"), ("Martin C.", "MC"), ("M.A.", "MA"), ("Carlo LM", "CLM"),
                                                 ("Jean-Paul", "J-P"), ("Yu E.", "YE"), ("Roger LeB.", "RL"), ("", ""), ("Ó.", "Ó")])
def test_initials(given, expected):
    assert initials(given) == expected
