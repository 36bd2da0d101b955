"""Importers on the real exports in ../shared/samples/citations (skipped where absent)."""
from datetime import date

import pytest

from editorial.citations import Author, format_ama, parse
from tests.conftest import shared_path


def load(fmt: str, folder: str, name: str):
    return parse(fmt, shared_path("samples", "citations", folder, name).read_bytes())


@pytest.mark.parametrize(
    ("fmt", "folder", "name", "count", "good"),
    [
        ("ris", "ris", "asreview__embase.ris", 6, 6),
        ("ris", "ris", "asreview__pubmed_endnote.txt", 6, 6),
        ("ris", "ris", "asreview__pubmed_zotero.ris", 6, 6),
        ("ris", "ris", "jabref__RisImporterTest8_date.ris", 1, 1),
        ("ris", "ris", "rispy__example_utf_chars.ris", 1, 1),
        ("nbib", "nbib", "biopython__pubmed_result2.txt", 4, 4),
        ("nbib", "nbib", "biopython__pubmed_result3.txt", 1, 1),
        ("nbib", "nbib", "holub008-nbib__single.nbib", 1, 1),
        ("nbib", "nbib", "pybtexnbib__marcelis-20301770.nbib", 1, 1),
        ("bibtex", "bibtex", "jabref__jabref-authors.bib", 212, 210),  # 3 without an author: AMA starts them with the title
        ("bibtex", "bibtex", "jabref__testjabref.bib", 156, 151),  # preprints, theses and conference papers now import
        ("csl-json", "csl-json", "commonmeta-py__csl-list.json", 17, 17),
    ],
)
def test_every_sample_imports(fmt, folder, name, count, good):
    result = load(fmt, folder, name)
    assert len(result.records) == count
    assert len(result.good) == good
    for record in result.records:  # every record formats, and every failure says why
        assert record.data is None or format_ama(record.data)
        assert record.ok or record.errors


def test_embase_bom_initials_authors_and_pmid_in_c5():
    records = load("ris", "ris", "asreview__embase.ris").records
    first = records[0].data  # the BOM must not hide the first record
    assert first.title == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    assert first.authors == [Author("Liu", "R."), Author("Adler", "D.G.")]
    assert (first.container_title, first.year, first.volume, first.issue, first.pages) == ("Endoscopic Ultrasound", 2014, "3", "3", "152-160")
    assert first.doi == "10.4103/2303-9027.138783"
    second = records[1].data
    assert (second.pmid, len(second.authors)) == ("15368318", 7)
    assert format_ama(second) == (
        "Eloubeidi MA, Cohn M, Cerfolio RJ, et al. Endoscopic ultrasound-guided fine-needle aspiration in the "
        "diagnosis of foregut duplication cysts: The value of demonstrating detached ciliary tufts in cyst fluid. "
        "Cancer. 2004;102(4):253-258. doi:10.1002/cncr.20369"
    )


def test_endnote_pubmed_short_page_ranges_and_17_authors():
    records = load("ris", "ris", "asreview__pubmed_endnote.txt").records
    first = records[0].data
    assert (first.pages, first.pmid, first.container_title) == ("349-69", "21553931", "Clin Pharmacokinet")
    assert format_ama(first) == (
        "Abdel-Tawab M, Werz O, Schubert-Zsilavecz M. Boswellia serrata: an overall assessment of in vitro, "
        "preclinical, pharmacokinetic and clinical data. Clin Pharmacokinet. 2011;50(6):349-369. "
        "doi:10.2165/11586800-000000000-00000"
    )
    last = records[5].data
    assert len(last.authors) == 17 and last.authors[0] == Author("Adachi", "S.")
    assert format_ama(last).startswith("Adachi S, Hoshi N, Inoue J, et al. Indigo Naturalis")


def test_zotero_undefined_dates_and_journal_abbreviation():
    record = load("ris", "ris", "asreview__pubmed_zotero.ris").records[1].data
    assert (record.year, record.container_title, record.doi) == (2019, "Tech Coloproctol", "10.1007/s10151-019-02080-0")
    assert record.authors[2] == Author("Slesser", "A. A. P.")


def test_aip_ris_non_ascii_names_without_space_after_comma():
    data = load("ris", "ris", "jabref__RisImporterTest8_date.ris").records[0].data
    assert data.authors[:2] == [Author("Valle-Delgado", "J. J."), Author("Molina-Bolívar", "J. A.")]
    assert (data.container_title, data.year, data.pages, data.doi) == ("J. Chem. Phys.", 2005, "034708", "10.1063/1.1954747")
    assert data.publisher == "American Institute of Physics"
    assert data.accessed == date(2019, 3, 28)


def test_rispy_sample_bom_vo_tag_and_short_title():
    data = load("ris", "ris", "rispy__example_utf_chars.ris").records[0].data
    assert data.title.startswith("Состояние рецепторного аппарата эндометрия")
    assert (data.volume, data.issue, data.pages, data.year) == ("8", "3", "52-57", 2009)


def test_medline_samples():
    old = load("nbib", "nbib", "biopython__pubmed_result2.txt").records
    assert old[0].data.title == "A high level interface to SCOP and ASTRAL implemented in python."
    assert old[0].data.authors[2] == Author("Saqi", "Mansoor A S")
    assert format_ama(old[2].data) == (
        "de Hoon MJL, Imoto S, Nolan J, Miyano S. Open source clustering software. Bioinformatics. "
        "2004;20(9):1453-1454. doi:10.1093/bioinformatics/bth078"
    )
    hifu = load("nbib", "nbib", "biopython__pubmed_result3.txt").records[0].data
    assert (hifu.pmid, hifu.doi, hifu.pages, hifu.container_title) == ("23039619", "10.1118/1.4748329", "5795-813", "Med Phys")
    single = load("nbib", "nbib", "holub008-nbib__single.nbib").records[0].data
    assert single.title == "Impact of balloon guide catheter on technical and clinical outcomes: a systematic review and meta-analysis."
    assert (single.year, single.volume, single.issue, single.doi) == (2018, "10", "4", "10.1136/neurintsurg-2017-013179")


def test_medline_crlf_book_chapter_with_editors_not_as_authors():
    data = load("nbib", "nbib", "pybtexnbib__marcelis-20301770.nbib").records[0].data
    assert data.type == "book"
    assert data.authors == [Author("Marcelis", "Carlo LM"), Author("de Brouwer", "Arjan PM")]
    assert (data.container_title, data.publisher, data.year, data.pmid) == ("GeneReviews(®)", "University of Washington, Seattle", 1993, "20301770")
    assert len(data.editors) == 8 and data.editors[0] == Author("Adam", "Margaret P")
    assert format_ama(data) == ("Marcelis CLM, de Brouwer APM. Feingold Syndrome 1. In: Adam MP, Ardinger HH, Pagon RA, et al, "
                                "eds. GeneReviews. University of Washington, Seattle; 1993.")


def test_bibtex_latex_escapes_and_capitalised_fields():
    authors_bib = load("bibtex", "bibtex", "jabref__jabref-authors.bib").records
    assert authors_bib[1].data.authors[1] == Author("Johansson", "Håkan")  # H{\aa}kan
    assert format_ama(authors_bib[0].data) == (
        "Garrido M, Kallstrom P, Kumm M, Gustafsson O. CORDIC II: A New Improved CORDIC Algorithm. "
        "IEEE Trans on Circuits and Systems. 2016;63-II(2):186-190. doi:10.1109/tcsii.2015.2483422"
    )
    wos = load("bibtex", "bibtex", "jabref__testjabref.bib").records
    first = wos[0].data  # "Title", "Author" capitalised; value wrapped over lines
    assert first.title == "256-Channel Neural Recording and Delta Compression Microsystem With 3D Electrodes And @ Symbol"
    assert (len(first.authors), first.authors[0], first.year, first.pages) == (8, Author("Aziz", "Joseph N. Y."), 2009, "995-1005")
    assert wos[2].data.pmid == "9653189"
    preprint = wos[6]  # an arXiv preprint has no journal: its server stands there
    assert preprint.errors == {} and preprint.data.type == "preprint"
    assert format_ama(preprint.data).endswith("arXiv. Preprint posted online March 12, 2020. https://arxiv.org/abs/2003.05580")


def test_csl_json_sample_quirks():
    records = load("csl-json", "csl-json", "commonmeta-py__csl-list.json").records
    assert records[1].data.type == "book" and records[1].data.edition == "2nd"
    assert format_ama(records[1].data) == (
        "Patrias K. Citing Medicine. 2nd ed. National Library of Medicine (US); 2007. https://www.ncbi.nlm.nih.gov/books/NBK7256/"
    )
    assert records[3].data.title.startswith("Exposición Temprana de Nativos Digitales en Ambientes, Metodologías")
    assert records[3].data.accessed == date(2016, 12, 22)
    assert records[7].data.title == "A Miniscule System of a ‘Sailing Rock’"  # mojibake repaired
    assert records[8].data.authors[1] == Author("Cabestrero", "Ó.")
    assert records[13].data.pmid == "25992719"  # from "PMID: 25992719" in the note
    assert records[5].data.container_title == "Trans. Tianjin Univ."  # abbreviation preferred
