"""Export (#18): CSL-JSON, RIS and BibTeX that our importers (and reference managers) read back the same."""
import json
from datetime import date

import pytest

from editorial.citations import Author, CitationData, format_ama, parse
from editorial.citations.export import export
from tests.conftest import shared_path

RECORDS = [
    CitationData(type="consensus-statement", title="The American Brachytherapy Society consensus statement on intraoperative "
                 "radiation therapy", authors=[Author("Tom", "Martin C"), Author("Joshi", "Nikhil")], container_title="Brachytherapy",
                 year=2019, volume="18", issue="3", pages="242-257", doi="10.1016/j.brachy.2018.12.005", pmid="30660510"),
    CitationData(title="A trial of A & B at 50%", authors=[Author("Coe", "Robert T", "Jr")], container_title="JAMA", year=2020,
                 published=date(2020, 3, 4), doi="10.1001/jama.2020.1"),
    CitationData(type="book", title="Feingold syndrome 1", authors=[Author("Marcelis", "Carlo LM")],
                 editors=[Author("Adam", "Margaret P"), Author("Ardinger", "Holly H")], container_title="GeneReviews",
                 publisher="University of Washington, Seattle", year=1993),
    CitationData(type="book", title="Citing Medicine", authors=[Author("Patrias", "Karen")], publisher="National Library of Medicine",
                 year=2007, edition="2", volume="3"),
    CitationData(type="paper-conference", title="Fast radix-2 FFTs", authors=[Author("Garrido", "Mario")], editors=[Author("Smith", "Jan")],
                 container_title="Proceedings of the IEEE Symposium on Circuits", volume="2", publisher="IEEE", year=2016, pages="186-190"),
    CitationData(type="thesis", title="Fertility control in rural India", authors=[Author("Fisher", "William B")],
                 publisher="Yale University", year=1984, genre="Master's thesis"),
    CitationData(type="preprint", title="Covid-19 in critically ill patients", authors=[Author("Bhatraju", "Pavan K")],
                 container_title="medRxiv", year=2020, published=date(2020, 3, 30), doi="10.1101/2020.03.24.20042937"),
    CitationData(type="report", title="Type 2 diabetes in adults: management", org_author="National Institute for Health and Care Excellence",
                 report_number="NICE guideline NG28", publisher="NICE", year=2015, url="https://www.nice.org.uk/guidance/ng28",
                 accessed=date(2024, 3, 5)),
    CitationData(type="webpage", title="Cancer statistics", org_author="Centers for Disease Control and Prevention", container_title="CDC",
                 published=date(2023, 6, 1), accessed=date(2024, 3, 5), url="https://www.cdc.gov/cancer"),
]


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_export_then_import_formats_the_same(fmt):
    text = export(fmt, [(f"key{n}", data) for n, data in enumerate(RECORDS)])
    result = parse(fmt, text)
    assert [r.errors for r in result.records] == [{}] * len(RECORDS)
    assert [format_ama(r.data) for r in result.records] == [format_ama(data) for data in RECORDS]


def test_and_others_survives_bibtex():
    cut = CitationData(title="T", authors=[Author("Smith", "Anna")], authors_cut_short=True, container_title="JAMA", year=2020)
    again = parse("bibtex", export("bibtex", [("smith2020", cut)])).records[0].data
    assert again.authors_cut_short and format_ama(again) == "Smith A, et al. T. JAMA. 2020."


def test_csl_json_carries_the_keys_and_csl_types():
    items = json.loads(export("csl-json", [(f"key{n}", data) for n, data in enumerate(RECORDS)]))
    assert [i["id"] for i in items][:2] == ["key0", "key1"]
    assert [i["type"] for i in items] == ["consensus-statement", "article-journal", "chapter", "book", "paper-conference",
                                          "thesis", "article", "report", "webpage"]


def test_unknown_format_and_empty_library():
    with pytest.raises(ValueError):
        export("docx", [])
    assert export("csl-json", []) == "[]\n"


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_a_list_cut_short_stays_cut_short_in_every_format(fmt):
    cut = CitationData(title="T", authors=[Author("Smith", "Anna")], authors_cut_short=True, container_title="JAMA", year=2020)
    again = parse(fmt, export(fmt, [("smith2020", cut)])).records[0].data
    assert again.authors_cut_short
    assert format_ama(again) == "Smith A, et al. T. JAMA. 2020."


def test_csl_json_and_ris_write_others_as_reference_managers_do():
    cut = CitationData(title="T", authors=[Author("Smith", "Anna")], authors_cut_short=True, container_title="JAMA", year=2020)
    assert json.loads(export("csl-json", [("k", cut)]))[0]["author"] == [{"family": "Smith", "given": "Anna"}, {"literal": "others"}]
    assert "AU  - others" in export("ris", [("k", cut)]).splitlines()


SAMPLES = [("ris", "ris", "asreview__embase.ris"), ("ris", "ris", "asreview__pubmed_endnote.txt"),
           ("ris", "ris", "asreview__pubmed_zotero.ris"), ("ris", "ris", "jabref__RisImporterTest8_date.ris"),
           ("ris", "ris", "rispy__example_utf_chars.ris"), ("nbib", "nbib", "biopython__pubmed_result2.txt"),
           ("nbib", "nbib", "biopython__pubmed_result3.txt"), ("nbib", "nbib", "holub008-nbib__single.nbib"),
           ("nbib", "nbib", "pybtexnbib__marcelis-20301770.nbib"), ("bibtex", "bibtex", "jabref__jabref-authors.bib"),
           ("bibtex", "bibtex", "jabref__testjabref.bib"), ("csl-json", "csl-json", "commonmeta-py__csl-list.json")]


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
@pytest.mark.parametrize(("source_format", "folder", "name"), SAMPLES)
def test_every_sample_record_exported_and_imported_again_formats_the_same(source_format, folder, name, fmt):
    imported = parse(source_format, shared_path("samples", "citations", folder, name).read_bytes())
    records = [record.data for record in imported.records if record.data is not None]
    assert records
    again = parse(fmt, export(fmt, [(f"key{n}", data) for n, data in enumerate(records)]))
    assert len(again.records) == len(records)
    assert [format_ama(r.data) for r in again.records] == [format_ama(data) for data in records]


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_editors_cut_short_stay_cut_short(fmt):
    chapter = CitationData(type="book", title="Feingold syndrome 1", authors=[Author("Marcelis", "Carlo LM")],
                           editors=[Author("Adam", "Margaret P"), Author("Ardinger", "Holly H")], editors_cut_short=True,
                           container_title="GeneReviews", publisher="University of Washington, Seattle", year=1993)
    again = parse(fmt, export(fmt, [("k", chapter)])).records[0].data
    assert format_ama(again) == format_ama(chapter) == ("Marcelis CLM. Feingold syndrome 1. In: Adam MP, Ardinger HH, et al, eds. "
                                                        "GeneReviews. University of Washington, Seattle; 1993.")


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_text_that_looks_like_latex_and_a_retracted_thesis_come_back_as_they_were(fmt):
    odd = CitationData(title="~50% of C:\\path {braces} and 2^k", authors=[Author("Roe", "J")], container_title="JAMA", year=2020)
    thesis = CitationData(type="thesis", title="Fertility", authors=[Author("Fisher", "William B")], publisher="Yale University",
                          year=1984, genre="Master's thesis", retracted=True)
    again = [r.data for r in parse(fmt, export(fmt, [("k1", odd), ("k2", thesis)])).records]
    assert again[0].title == odd.title
    assert (again[1].genre, format_ama(again[1])) == ("Master's thesis", format_ama(thesis))
    if fmt == "ris":
        assert again[1].retracted


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_a_one_word_organisation_beside_people_comes_back_as_the_organisation(fmt):
    data = CitationData(title="T", authors=[Author("Coe", "Robert T")], org_author="WHO", container_title="JAMA", year=2020)
    again = parse(fmt, export(fmt, [("k", data)])).records[0].data
    assert format_ama(again) == "Coe RT; WHO. T. JAMA. 2020."
