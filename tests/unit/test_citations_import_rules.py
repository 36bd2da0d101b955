"""Importer rules (#18): "and others", LaTeX superscripts and quotes, organisation-looking people, incomplete records."""
import json
from datetime import date

import pytest

from editorial.citations import format_ama, parse
from editorial.citations.lookup import from_crossref
from editorial.citations.validation import validate


def bib(fields: str, kind: str = "article") -> str:
    return f"@{kind}{{key2020,\n{fields}\n}}\n"


def test_and_others_prints_et_al():
    data = parse("bibtex", bib("author = {Smith, Anna and Jones, Carl and others},\ntitle = {T},\njournal = {JAMA},\nyear = {2020}")).records[0].data
    assert data.authors_cut_short
    assert format_ama(data) == "Smith A, Jones C, et al. T. JAMA. 2020."


def test_latex_superscripts_keep_their_text_and_quotes_become_curly():
    records = parse("bibtex", bib(r"title = {Pipelined Radix-2\({}^{\mbox{k}}\) Feedforward {FFT} Architectures},"
                                  "\nauthor = {Garrido, Mario},\njournal = {IEEE TCAS},\nyear = {2013}")
                    + bib(r"title = {Proceedings of the 5\({}^{\mbox{th}}\) Workshop},"
                          "\nauthor = {Kopp, Oliver},\nbooktitle = {ZEUS},\nyear = {2013}", "inproceedings")
                    .replace("key2020", "k2")
                    + bib("title = {Comment on ``A quantum-classical bracket''},\nauthor = {Ag, B},\njournal = {J Chem Phys},"
                          "\nyear = {2007}").replace("key2020", "k3")).records
    assert records[0].data.title == "Pipelined Radix-2^k Feedforward FFT Architectures"
    assert records[1].data.title == "Proceedings of the 5th Workshop"
    assert records[2].data.title == "Comment on “A quantum-classical bracket”"


def test_a_person_that_looks_like_an_organisation_is_a_warning():
    record = parse("bibtex", bib("author = {World Health Organization and others},\ntitle = {Situation report 51},"
                                 "\njournal = {WHO},\nyear = {2020}")).records[0]
    assert record.ok  # parsed as BibTeX says: a person named "Organization, World Health"
    assert record.data.authors[0].family == "Organization"
    assert record.warnings == ['"World Health Organization" reads as a person: put an organisation in braces '
                               '({World Health Organization}) or enter it as the organisation author.']
    braced = parse("bibtex", bib("author = {{World Health Organization}},\ntitle = {S},\njournal = {WHO},\nyear = {2020}")).records[0]
    assert braced.warnings == [] and braced.data.org_author == "World Health Organization"


def test_pmid_and_title_only_is_incomplete_with_what_is_missing():
    result = parse("nbib", "PMID- 31234567\nTI  - A title only.\n")
    record = result.records[0]
    assert not record.ok and record.incomplete
    assert record.missing == {"year": "Year is required.", "container_title": "Journal name is required."}
    assert result.incomplete == [record] and result.bad == []
    bad_doi = parse("ris", "TY  - JOUR\nTI  - T\nDO  - 11.2/x\nER  - \n").records[0]
    assert not bad_doi.incomplete  # a malformed value is an error, not something missing
    no_title = parse("nbib", "PMID- 31234567\nDP  - 2020\n").records[0]
    assert not no_title.incomplete  # without a title there is nothing to cite


def test_a_final_initial_v_is_not_the_numeral_and_ordinal_suffixes_are_roman():
    from editorial.citations import format_ama, parse
    def authors(fmt, text):
        return format_ama(parse(fmt, text).records[0].data).split(". ")[0]
    ris = "TY  - JOUR\nAU  - Smith, John V.\nAU  - Rao, K. V.\nAU  - Roe, J. P., 3rd\nTI  - T\nJO  - J\nPY  - 2019\nER  - \n"
    assert authors("ris", ris) == "Smith JV, Rao KV, Roe JP III"
    nbib = "PMID- 3\nTI  - T.\nDP  - 2019\nTA  - J\nFAU - Rao, K V\nFAU - Roe, John P 3rd\n"
    assert authors("nbib", nbib) == "Rao KV, Roe JP III"
    assert authors("nbib", "PMID- 3\nTI  - T.\nDP  - 2019\nTA  - J\nAU  - Roe JP 3rd\nAU  - Coe RT Jr\n") == "Roe JP III, Coe RT Jr"


def test_more_unbraced_organisations_warn():
    for author in ("Centers for Disease Control and Prevention", "COVID-19 Investigation Team",
                   "Novel Coronavirus Pneumonia Emergency Response Epidemiology Team and others"):
        record = parse("bibtex", "@article{k, author={%s}, title={T}, journal={J}, year=2019}" % author).records[0]
        assert record.warnings, author
    assert not parse("bibtex", "@article{k, author={Tom, Martin}, title={T}, journal={J}, year=2019}").records[0].warnings


# --- One reading of "kind of thesis" for every importer ------------------------------------------

THESIS_KINDS = [("PhD Thesis", "Dissertation"), ("Ph.D. dissertation", "Dissertation"), ("Doctoral thesis", "Dissertation"),
                ("DPhil thesis", "Dissertation"), ("M.Sc. thesis", "Master's thesis"), ("MSc thesis", "Master's thesis"),
                ("Masters thesis", "Master's thesis"), ("MA thesis", "Master's thesis"), ("Habilitation", "Habilitation")]


@pytest.mark.parametrize(("written", "kind"), THESIS_KINDS)
def test_every_importer_reads_the_kind_of_thesis_the_same(written, kind):
    ris = f"TY  - THES\nAU  - Fisher, William B\nTI  - Fertility\nPB  - Yale University\nPY  - 1984\nM3  - {written}\nER  - \n"
    csl = json.dumps([{"type": "thesis", "title": "Fertility", "author": [{"family": "Fisher", "given": "William B"}],
                       "publisher": "Yale University", "genre": written, "issued": {"date-parts": [[1984]]}}])
    bibtex = bib(f"author = {{Fisher, William B}},\ntitle = {{Fertility}},\nschool = {{Yale University}},\nyear = {{1984}},"
                 f"\ntype = {{{written}}}", "thesis")
    read = [parse(fmt, text).records[0].data for fmt, text in (("ris", ris), ("csl-json", csl), ("bibtex", bibtex))]
    assert [data.genre for data in read] == [kind] * 3
    assert format_ama(read[0]) == f"Fisher WB. Fertility. {kind}. Yale University; 1984."


# --- Preprints: the server, never a subject or a company -----------------------------------------

def crossref(message: dict):
    return from_crossref(json.dumps({"status": "ok", "message": message}).encode())


POSTED = {"type": "posted-content", "subtype": "preprint", "title": ["Covid-19 in critically ill patients"],
          "author": [{"family": "Bhatraju", "given": "Pavan K"}], "DOI": "10.1101/2020.03.24.20042937",
          "posted": {"date-parts": [[2020, 3, 30]]}, "issued": {"date-parts": [[2020, 3, 30]]}}


def test_a_crossref_preprint_names_its_server_from_the_institution_not_its_subject():
    data = crossref({**POSTED, "institution": [{"name": "medRxiv"}], "group-title": "Intensive Care and Critical Care Medicine",
                     "publisher": "Cold Spring Harbor Laboratory"})
    assert (data.type, data.container_title) == ("preprint", "medRxiv")
    assert format_ama(data) == ("Bhatraju PK. Covid-19 in critically ill patients. medRxiv. Preprint posted online "
                                "March 30, 2020. doi:10.1101/2020.03.24.20042937")


def test_a_crossref_preprint_takes_group_title_or_publisher_only_when_it_is_a_server():
    assert crossref({**POSTED, "group-title": "bioRxiv", "publisher": "Cold Spring Harbor Laboratory"}).container_title == "bioRxiv"
    assert crossref({**POSTED, "publisher": "Research Square Platform LLC"}).container_title == "Research Square"
    subject_only = crossref({**POSTED, "group-title": "Epidemiology", "publisher": "Cold Spring Harbor Laboratory"})
    assert subject_only.container_title == ""  # not "Epidemiology": the writer is asked to name the server
    assert validate(subject_only)["container_title"].startswith("Name the preprint server")


def test_a_csl_item_whose_container_is_an_arxiv_identifier_is_an_arxiv_preprint():
    item = {"type": "article-journal", "title": "Early exposure of students to research", "container-title": "arXiv:1501.04916 [physics]",
            "URL": "http://arxiv.org/abs/1501.04916", "author": [{"family": "Asorey", "given": "H."}],
            "issued": {"date-parts": [["2015", 1, 20]]}}
    data = parse("csl-json", json.dumps([item])).records[0].data
    assert (data.type, data.container_title) == ("preprint", "arXiv")
    assert format_ama(data) == ("Asorey H. Early exposure of students to research. arXiv. Preprint posted online January 20, 2015. "
                                "http://arxiv.org/abs/1501.04916")
    again = crossref({"type": "journal-article", "title": ["T"], "container-title": ["arXiv:2101.00001"], "author": [{"family": "Roe", "given": "J"}],
                      "issued": {"date-parts": [[2021, 1, 2]]}})
    assert (again.type, again.container_title) == ("preprint", "arXiv")


def test_a_csl_item_with_only_a_year_issued_takes_the_full_date_published_online():
    item = {"type": "article-journal", "title": "T", "container-title-short": "JAMA", "author": [{"family": "Roe", "given": "J"}],
            "issued": {"date-parts": [[2020]]}, "published-online": {"date-parts": [[2020, 3, 4]]}, "DOI": "10.1001/jama.2020.1"}
    data = parse("csl-json", json.dumps([item])).records[0].data
    assert (data.year, data.published) == (2020, date(2020, 3, 4))
    assert format_ama(data) == "Roe J. T. JAMA. Published online March 4, 2020. doi:10.1001/jama.2020.1"


# --- Found by the second check of #18 ----------------------------------------------------------------

def test_a_published_article_with_an_arxiv_eprint_stays_a_journal_article():
    data = parse("bibtex", bib("author = {Aad, G. and others},\ntitle = {Observation of a new particle},\n"
                               "journal = {Phys. Lett. B},\nvolume = {716},\npages = {1--29},\nyear = {2012},\n"
                               "eprint = {1207.7214},\narchivePrefix = {arXiv},\ndoi = {10.1016/j.physletb.2012.08.020}")).records[0].data
    assert data.type == "article-journal"
    assert format_ama(data) == "Aad G, et al. Observation of a new particle. Phys Lett B. 2012;716:1-29. doi:10.1016/j.physletb.2012.08.020"
    preprint = parse("bibtex", bib("author = {Roe, J},\ntitle = {T},\njournal = {arXiv preprint arXiv:1207.7214},\nyear = {2012},"
                                   "\neprint = {1207.7214},\narchivePrefix = {arXiv}")).records[0].data
    assert (preprint.type, preprint.container_title) == ("preprint", "arXiv")


def test_a_chapter_without_a_publisher_keeps_its_book_and_editors():
    ris = ("TY  - CHAP\nAU  - Marcelis, Carlo L M\nTI  - Feingold syndrome 1\nT2  - GeneReviews\nA2  - Adam, Margaret P\n"
           "PY  - 1993\nER  - \n")
    csl = json.dumps([{"type": "chapter", "title": "Feingold syndrome 1", "author": [{"family": "Marcelis", "given": "Carlo L M"}],
                       "container-title": "GeneReviews", "editor": [{"family": "Adam", "given": "Margaret P"}],
                       "issued": {"date-parts": [[1993]]}}])
    for fmt, text in (("ris", ris), ("csl-json", csl)):
        data = parse(fmt, text).records[0].data
        assert format_ama(data).startswith("Marcelis CLM. Feingold syndrome 1. In: Adam MP, ed. GeneReviews."), fmt


def test_csl_name_particles_and_a_suffix_in_the_given_name():
    item = {"type": "article-journal", "title": "T", "container-title-short": "JAMA", "issued": {"date-parts": [[2020]]},
            "author": [{"family": "Brouwer", "given": "Arjan P. M.", "non-dropping-particle": "de"},
                       {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
                       {"family": "Coe", "given": "Robert T., Jr."}]}
    data = parse("csl-json", json.dumps([item])).records[0].data
    assert format_ama(data) == "de Brouwer APM, van Beethoven L, Coe RT Jr. T. JAMA. 2020."


@pytest.mark.parametrize(("written", "ama"), [
    ("J. Neuro-Oncol.", "J Neurooncol"), ("Eur. J. Cardio-Thorac. Surg.", "Eur J Cardiothorac Surg"),
    ("Dtsch. Ärztebl. Int.", "Dtsch Ärztebl Int"), ("Presse Méd.", "Presse Méd"),
    ("Rev. Esp. Cardiol. (Engl. Ed.)", "Rev Esp Cardiol (Engl Ed)")])
def test_hyphenated_accented_and_bracketed_abbreviations_lose_their_full_stops(written, ama):
    data = parse("ris", f"TY  - JOUR\nAU  - Roe, J\nTI  - T\nJO  - {written}\nPY  - 2020\nER  - \n").records[0].data
    assert format_ama(data) == f"Roe J. T. {ama}. 2020."


def test_crossref_article_number_subtitle_edition_and_a_dissertations_institution():
    article = crossref({"type": "journal-article", "title": ["Effect of X"], "subtitle": ["a randomized trial"],
                        "container-title": ["PLoS One"], "short-container-title": ["PLoS One"], "volume": "14", "issue": "3",
                        "article-number": "e0123456", "author": [{"family": "Roe", "given": "J"}],
                        "issued": {"date-parts": [[2019, 3, 1]]}, "DOI": "10.1371/journal.pone.0123456"})
    assert format_ama(article) == "Roe J. Effect of X: a randomized trial. PLoS One. 2019;14(3):e0123456. doi:10.1371/journal.pone.0123456"
    book = crossref({"type": "book", "title": ["Computer Vision"], "edition-number": "2", "publisher": "Springer",
                     "author": [{"family": "Fleet", "given": "David"}], "issued": {"date-parts": [[2014]]}})
    assert format_ama(book) == "Fleet D. Computer Vision. 2nd ed. Springer; 2014."
    thesis = crossref({"type": "dissertation", "title": ["Fertility"], "author": [{"family": "Fisher", "given": "W"}],
                       "publisher": "University of Groningen Library", "institution": [{"name": "University of Groningen"}],
                       "issued": {"date-parts": [[2019]]}})
    assert format_ama(thesis) == "Fisher W. Fertility. Dissertation. University of Groningen; 2019."


def test_a_registered_sign_in_a_book_title_is_not_printed():
    data = parse("csl-json", json.dumps([{"type": "chapter", "title": "Feingold syndrome 1", "container-title": "GeneReviews(®)",
                                          "author": [{"family": "Marcelis", "given": "C"}], "editor": [{"family": "Adam", "given": "M"}],
                                          "publisher": "University of Washington, Seattle", "issued": {"date-parts": [[1993]]}}])).records[0].data
    assert format_ama(data) == "Marcelis C. Feingold syndrome 1. In: Adam M, ed. GeneReviews. University of Washington, Seattle; 1993."


def test_ris_full_date_in_y1_and_a_preprint_server_in_pb():
    online = parse("ris", "TY  - JOUR\nAU  - Roe, J\nTI  - T\nJO  - JAMA\nY1  - 2020/03/04/\nER  - \n").records[0].data
    assert format_ama(online) == "Roe J. T. JAMA. Published online March 4, 2020."
    preprint = parse("ris", "TY  - PREPRINT\nAU  - Roe, J\nTI  - T\nPB  - medRxiv\nDA  - 2020/03/30\nER  - \n").records[0]
    assert preprint.data.container_title == "medRxiv" and not preprint.errors


def test_editors_cut_short_print_et_al():
    data = parse("bibtex", bib("author = {Marcelis, Carlo L M},\ntitle = {Feingold syndrome 1},\nbooktitle = {GeneReviews},\n"
                               "editor = {Adam, Margaret P and Ardinger, Holly H and others},\npublisher = {University of Washington},"
                               "\nyear = {1993}", "incollection")).records[0].data
    assert "In: Adam MP, Ardinger HH, et al, eds. GeneReviews." in format_ama(data)


def test_medline_book_edition_and_tex_dashes_in_a_bibtex_title():
    book = parse("nbib", "PMID- 1\nBTI - Citing Medicine\nEN  - 2nd\nPB  - National Library of Medicine\nDP  - 2007\n"
                         "FAU - Patrias, Karen\nAU  - Patrias K\nPT  - Book\n").records[0].data
    assert format_ama(book) == "Patrias K. Citing Medicine. 2nd ed. National Library of Medicine; 2007."
    dashed = parse("bibtex", bib("author = {Roe, J},\ntitle = {Dose--response --- a review},\njournal = {JAMA},\nyear = {2020}")).records[0].data
    assert dashed.title == "Dose\u2013response \u2014 a review"
