"""AMA 11th edition rules beyond the basics (#18): abbreviations, groups, page prefixes, no author, suffixes."""
import pytest

from editorial.citations import Author, CitationData, format_ama, parse, validate
from editorial.citations.formatting import full_pages, journal_abbreviation

SEVEN = [Author("Tom", "Martin C"), Author("Joshi", "Nikhil"), Author("Vicini", "Frank"), Author("Chang", "Albert J"),
         Author("Hsu", "I-Chow"), Author("Showalter", "Timothy N"), Author("Chadha", "Manjeet")]


def article(**changes) -> CitationData:
    values = dict(title="A trial", authors=[Author("Martin", "Anne")], container_title="JAMA", year=2019, volume="3",
                  pages="1-9")
    values.update(changes)
    return CitationData(**values)


@pytest.mark.parametrize(("given", "expected"), [
    ("Int. J. Surg. Case Rep.", "Int J Surg Case Rep"),
    ("World J. Gastroenterol.", "World J Gastroenterol"),
    ("Clin. Perinatol.", "Clin Perinatol"),
    ("J. Chem. Phys.", "J Chem Phys"),
    ("Proc. Natl. Acad. Sci. U.S.A.", "Proc Natl Acad Sci U S A"),
    ("Ann. N.Y. Acad. Sci.", "Ann N Y Acad Sci"),
    ("J Am Coll Cardiol.", "J Am Coll Cardiol"),
    ("Int J Surg Case Rep", "Int J Surg Case Rep"),
    # Full names keep a full stop that is there for another reason.
    ("Journal of the A.M.A.", "Journal of the A.M.A."),
    # Abbreviated words make an abbreviation even beside a linking word.
    ("IEEE Trans. on Circuits and Systems.", "IEEE Trans on Circuits and Systems"),
    ("J. Electrical and Computer Engineering.", "J Electrical and Computer Engineering"),
    ("Heart and Lung.", "Heart and Lung."),
    ("St. Louis University Law Journal", "St. Louis University Law Journal"),
    ("Brachytherapy", "Brachytherapy"),
])
def test_journal_abbreviations_lose_their_full_stops(given, expected):
    assert journal_abbreviation(given) == expected


def test_abbreviation_in_a_reference():
    assert format_ama(article(container_title="Int. J. Surg. Case Rep.")) == (
        "Martin A. A trial. Int J Surg Case Rep. 2019;3:1-9."
    )


def test_more_than_six_authors_and_a_group():
    data = article(authors=SEVEN, org_author="American Brachytherapy Society")
    assert format_ama(data).startswith("Tom MC, Joshi N, Vicini F, et al; American Brachytherapy Society. A trial.")
    assert format_ama(article(authors=SEVEN)).startswith("Tom MC, Joshi N, Vicini F, et al. A trial.")


@pytest.mark.parametrize(("pages", "expected"), [
    ("S349-69", "S349-S369"), ("R1-15", "R1-R15"), ("S349-S369", "S349-S369"), ("e0123456", "e0123456"),
    ("e123-9", "e123-e129"), ("E12–E19", "E12-E19"), ("349-69", "349-369"), ("ii12-ii18", "ii12-ii18"),
])
def test_letter_prefixed_page_ranges_are_expanded(pages, expected):
    assert full_pages(pages) == expected


def test_a_reference_without_an_author_starts_with_its_title():
    data = article(authors=[], org_author="")
    assert validate(data) == {}
    assert format_ama(data) == "A trial. JAMA. 2019;3:1-9."


def test_name_suffixes_from_ris_and_bibtex():
    ris = "TY  - JOUR\nAU  - Coe, Robert T., Jr.\nAU  - Roe, John P., III\nTI  - Suffixes\nJO  - JAMA\nPY  - 2020\nER  - \n"
    data = parse("ris", ris).records[0].data
    assert data.authors == [Author("Coe", "Robert T.", "Jr"), Author("Roe", "John P.", "III")]
    assert format_ama(data) == "Coe RT Jr, Roe JP III. Suffixes. JAMA. 2020."
    bib = "@article{coe2020,\n  author = {Coe, Jr., Robert T. and Roe, III, John P.},\n  title = {Suffixes},\n  journal = {JAMA},\n  year = {2020}\n}\n"
    assert format_ama(parse("bibtex", bib).records[0].data) == "Coe RT Jr, Roe JP III. Suffixes. JAMA. 2020."
    medline = "PMID- 1\nTI  - Suffixes.\nAU  - Coe RT Jr\nTA  - JAMA\nDP  - 2020\n"
    assert parse("nbib", medline).records[0].data.authors == [Author("Coe", "RT", "Jr")]
    csl = '[{"type": "article-journal", "title": "Suffixes", "container-title": "JAMA", "issued": {"date-parts": [[2020]]},' \
          ' "author": [{"family": "Coe", "given": "Robert T.", "suffix": "Jr."}]}]'
    assert format_ama(parse("csl-json", csl).records[0].data) == "Coe RT Jr. Suffixes. JAMA. 2020."
