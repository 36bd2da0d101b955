"""Importers on small hand-made fixtures with the quirks of real exports."""
import json
from datetime import date

import pytest

from editorial.citations import Author, ImportFormatError, format_ama, parse

ABS_TITLE = "The American Brachytherapy Society consensus statement on intraoperative radiation therapy"

RIS = (
    "\ufeffTY  - JOUR\r\n"
    "AU  - Tom, Martin C.\r\n"
    "AU  - Joshi,Nikhil \r\n"
    "A1  - Vicini F.\r\n"
    "AU  - American Brachytherapy Society\r\n"
    f"T1  - {ABS_TITLE}\r\n"
    "JF  - Brachytherapy\r\n"
    "JO  - Brachytherapy\r\n"
    "PY  - 2019///\r\n"
    "VL  - 18\r\nIS  - 3\r\nSP  - 242\r\nEP  - 257\r\n"
    "DO  - https://doi.org/10.1016/J.BRACHY.2018.12.005\r\n"
    "AN  - 30660510\r\nDP  - NLM\r\n"
    "ER  - \r\n\r\n"
    "TY  - ELEC\r\n"
    "AU  - Centers for Disease Control and Prevention\r\n"
    "TI  - Cancer <i>statistics</i>\r\n"
    "T2  - CDC\r\n"
    "DA  - 2023/06/01\r\n"
    "Y2  - 2024/03/05\r\n"
    "UR  - https://www.cdc.gov/cancer\r\n"
    "ER  - \r\n"
    "TY  - BOOK\r\n"
    "AU  - Author, A. A.\r\n"
    "TI  - Title of Book\r\n"
    "PB  - Publisher\r\n"
    "ET  - 3\r\n"
    "PY  - 2018\r\n"  # no ER: the last record must still be read
)


def test_ris_maps_fields_and_quirks():
    result = parse("ris", RIS.encode("utf-8"))
    assert [r.errors for r in result.records] == [{}, {}, {}]
    article, page, book = (r.data for r in result.records)
    assert article.type == "consensus-statement"
    assert article.authors == [Author("Tom", "Martin C."), Author("Joshi", "Nikhil"), Author("Vicini", "F.")]
    assert article.org_author == "American Brachytherapy Society"
    assert (article.year, article.volume, article.issue, article.pages) == (2019, "18", "3", "242-257")
    assert (article.doi, article.pmid) == ("10.1016/j.brachy.2018.12.005", "30660510")
    assert format_ama(article).startswith("Tom MC, Joshi N, Vicini F; American Brachytherapy Society. The American")
    assert result.records[0].source_label == "record 1: The American Brachytherapy Society consensus statement on…"
    assert (page.type, page.title, page.org_author, page.container_title) == ("webpage", "Cancer statistics", "Centers for Disease Control and Prevention", "CDC")
    assert (page.published, page.accessed, page.url) == (date(2023, 6, 1), date(2024, 3, 5), "https://www.cdc.gov/cancer")
    assert format_ama(book) == "Author AA. Title of Book. 3rd ed. Publisher; 2018."


def test_ris_bad_record_is_reported_and_good_ones_kept():
    text = "TY  - JOUR\nTI  - No authors here\nJO  - J\nPY  - 2019\nDO  - 11.2/x\nER  - \n" + RIS.split("TY  - ELEC")[0].lstrip("\ufeff")
    result = parse("ris", text)
    assert len(result.records) == 2
    bad, good = result.records
    assert bad.source_label == "record 1: No authors here"
    assert bad.errors == {"doi": 'DOI must start with "10." (for example 10.1016/j.brachy.2018.12.005).'}
    assert bad.data.title == "No authors here"
    assert good.ok and result.good == [good] and result.bad == [bad]


NBIB = (
    "\nPMID- 30660510\r\n"
    "TI  - The American Brachytherapy Society consensus statement on intraoperative \r\n"
    "      radiation therapy.\r\n"
    "FAU - Tom, Martin C\r\nAU  - Tom MC\r\n"
    "FAU - Joshi, Nikhil\r\nAU  - Joshi N\r\n"
    "CN  - American Brachytherapy Society\r\n"
    "TA  - Brachytherapy\r\nJT  - Brachytherapy\r\n"
    "DP  - 2019 May - Jun\r\nVI  - 18\r\nIP  - 3\r\nPG  - 242-257\r\n"
    "LID - 10.1016/j.brachy.2018.12.005 [doi]\r\n"
    "PT  - Journal Article\r\nPT  - Retracted Publication\r\n"
    "\r\n"
    "PMID- 1\r\nAU  - Smith J\r\nTI  - Second.\r\nTA  - J\r\nDP  - 1999\r\n"
)


def test_nbib_maps_fields_continuations_and_retraction():
    result = parse("nbib", NBIB)
    first, second = (r.data for r in result.records)
    assert first.title == ABS_TITLE + "."
    assert first.authors == [Author("Tom", "Martin C"), Author("Joshi", "Nikhil")]
    assert first.org_author == "American Brachytherapy Society"
    assert (first.container_title, first.year, first.volume, first.issue, first.pages) == ("Brachytherapy", 2019, "18", "3", "242-257")
    assert (first.doi, first.pmid, first.retracted, first.type) == ("10.1016/j.brachy.2018.12.005", "30660510", True, "consensus-statement")
    assert second.authors == [Author("Smith", "J")] and second.retracted is False
    assert result.records[1].errors == {}


BIBTEX = r"""
% comment line
@Article{tom2019,
  Author = {Tom, Martin C. and Joshi, Nikhil and Vicini, Frank and {American Brachytherapy Society} and others},
  Title = {The {American} Brachytherapy Society consensus statement on
           intraoperative radiation therapy},
  Journal = {Brachytherapy},
  year = 2019, volume = {18}, number = {3}, pages = {242--257},
  doi = {10.1016/j.brachy.2018.12.005}, pmid = {30660510},
}
@article{broken, title = {Missing brace
@book{mueller, author = {J{\"o}rg M{\"{u}}ller and H{\aa}kan Jos{\'e}}, title = {Caf\'e \& 50% more}, publisher = {Springer}, year = {2001}}
@online{who, author = {{World Health Organization}}, title = {Fact sheet}, organization = {WHO}, url = {https://who.int/x}, urldate = {2024-03-05}, date = {2023-02-01}}
"""


def test_bibtex_maps_fields_latex_and_broken_entries():
    result = parse("bibtex", BIBTEX)
    assert len(result.records) == 4
    article, broken, book, web = result.records
    assert article.errors == {}
    assert article.data.title == ABS_TITLE
    assert article.data.authors == [Author("Tom", "Martin C."), Author("Joshi", "Nikhil"), Author("Vicini", "Frank")]
    assert article.data.org_author == "American Brachytherapy Society"
    assert (article.data.pages, article.data.issue, article.data.pmid) == ("242-257", "3", "30660510")
    assert format_ama(article.data).endswith("Brachytherapy. 2019;18(3):242-257. doi:10.1016/j.brachy.2018.12.005")
    assert broken.data is None and broken.source_label == "record 2"
    assert broken.errors["record"].startswith("The entry could not be read (starting '@article{broken, title = {Missing brace')")
    assert book.data.authors == [Author("Müller", "Jörg"), Author("José", "Håkan")]
    assert book.data.title == "Café & 50% more"
    assert (web.data.type, web.data.org_author, web.data.container_title) == ("webpage", "World Health Organization", "WHO")
    assert (web.data.accessed, web.data.published) == (date(2024, 3, 5), date(2023, 2, 1))


def test_a_bibtex_entry_cut_short_says_why():
    with pytest.raises(ImportFormatError) as refused:
        parse("bibtex", "@article{k, title = {\\}}")
    assert refused.value.message == ("No record could be read. The entry could not be read (starting "
                                     "'@article{k, title = {\\\\}}'): Unexpectedly reached end of file.")


def test_csl_json_single_object_and_list():
    item = {
        "type": "article-journal", "title": ABS_TITLE, "container-title": "Brachytherapy",
        "author": [{"family": "Tom", "given": "Martin C"}, {"literal": "American Brachytherapy Society"}],
        "issued": {"date-parts": [["2019", 5]]}, "volume": 18, "issue": "3", "page": "242-257",
        "DOI": "doi:10.1016/j.brachy.2018.12.005", "note": "PMID: 30660510",
    }
    single = parse("csl-json", json.dumps(item))
    data = single.records[0].data
    assert single.records[0].errors == {}
    assert (data.year, data.volume, data.doi, data.pmid, data.org_author) == (2019, "18", "10.1016/j.brachy.2018.12.005", "30660510", "American Brachytherapy Society")
    listed = parse("csl-json", json.dumps([item, "not an object", {"type": "book", "title": "T"}]))
    assert [r.errors for r in listed.records] == [
        {},
        {"record": "The item is not a JSON object."},
        {"year": "Year is required.", "publisher": "Publisher is required for a book."},
    ]


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "nbib", "csl-json"])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("just some words\nand more words", None),
    ],
)
def test_unreadable_files_raise(fmt, content, message):
    with pytest.raises(ImportFormatError) as caught:
        parse(fmt, content)
    if message:
        assert message in caught.value.message


def test_unknown_format_and_huge_files_raise(monkeypatch):
    with pytest.raises(ImportFormatError, match="Unknown format 'endnote'"):
        parse("endnote", "x")
    from editorial.citations import importers

    monkeypatch.setattr(importers, "MAX_IMPORT_CHARS", 100)
    with pytest.raises(ImportFormatError, match="too large"):
        parse("ris", "TY  - JOUR\n" * 20)


def test_bibtex_repeated_field_keeps_the_first_value():
    result = parse("bibtex", "@article{a, title={First}, Title={Second}, author={Smith, J}, journal={J}, year=2000}")
    assert result.records[0].errors == {} and result.records[0].data.title == "First"


def test_a_file_of_only_broken_records_raises():
    with pytest.raises(ImportFormatError, match="No record could be read"):
        parse("bibtex", "@article{a, title = {x\n@article{b, title = {y\n")


def test_cp1252_bytes_are_decoded():
    result = parse("ris", "TY  - JOUR\nAU  - Gálvez, M\nTI  - Café\nJO  - J\nPY  - 2000\nER  - \n".encode("cp1252"))
    assert result.records[0].data.authors == [Author("Gálvez", "M")]
