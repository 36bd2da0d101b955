"""What a record can hold (#18): editors and chapters, conference papers, theses, preprints, reports,
online-first articles, a book's volume; formatted in AMA style and read from each export format."""
import json
from datetime import date

from editorial.citations import Author, CitationData, format_ama, format_ama_html, parse, validate

GENEREVIEWS_EDITORS = [Author("Adam", "Margaret P"), Author("Ardinger", "Holly H"), Author("Pagon", "Roberta A"),
                       Author("Wallace", "Stephanie E"), Author("Bean", "Lora JH"), Author("Gripp", "Karen W"),
                       Author("Mirzaa", "Ghayda M"), Author("Amemiya", "Anne")]
CHAPTER = CitationData(type="book", title="Feingold syndrome 1", authors=[Author("Marcelis", "Carlo LM"), Author("de Brouwer", "Arjan PM")],
                       editors=GENEREVIEWS_EDITORS, container_title="GeneReviews", publisher="University of Washington, Seattle",
                       year=1993)


def test_chapter_with_editors():
    assert validate(CHAPTER) == {}
    assert format_ama(CHAPTER) == (
        "Marcelis CLM, de Brouwer APM. Feingold syndrome 1. In: Adam MP, Ardinger HH, Pagon RA, et al, eds. "
        "GeneReviews. University of Washington, Seattle; 1993."
    )
    assert "eds. <em>GeneReviews</em>." in format_ama_html(CHAPTER)


def test_one_editor_and_an_edited_book():
    chapter = CitationData(type="book", title="Asthma", authors=[Author("Lee", "Ann")], editors=[Author("Kim", "Bo")],
                           container_title="Pulmonology", publisher="Elsevier", year=2020, pages="12-9")
    assert format_ama(chapter) == "Lee A. Asthma. In: Kim B, ed. Pulmonology. Elsevier; 2020:12-19."
    edited = CitationData(type="book", title="Pulmonology", editors=[Author("Kim", "Bo"), Author("Roe", "Al")],
                          publisher="Elsevier", year=2020)
    assert format_ama(edited) == "Kim B, Roe A, eds. Pulmonology. Elsevier; 2020."


def test_book_volume():
    data = CitationData(type="book", title="Computer Vision - ECCV 2014", authors=[Author("Fleet", "David")],
                        volume="8842", publisher="Springer", year=2014, edition="2")
    assert format_ama(data) == "Fleet D. Computer Vision - ECCV 2014. 2nd ed. Vol 8842. Springer; 2014."


def test_conference_paper():
    data = CitationData(type="paper-conference", title="Fast radix-2 FFTs", authors=[Author("Garrido", "Mario")],
                        editors=[Author("Smith", "Jan")], container_title="Proceedings of the IEEE Symposium on Circuits",
                        volume="2", publisher="IEEE", year=2016, pages="186-90", doi="10.1109/x.2016.1")
    assert validate(data) == {}
    assert format_ama(data) == (
        "Garrido M. Fast radix-2 FFTs. In: Smith J, ed. Proceedings of the IEEE Symposium on Circuits. Vol 2. IEEE; "
        "2016:186-190. doi:10.1109/x.2016.1"
    )
    bare = CitationData(type="paper-conference", title="T", authors=[Author("A", "B")], container_title="Proc ISCAS", year=2016)
    assert format_ama(bare) == "A B. T. In: Proc ISCAS. 2016."
    assert validate(CitationData(type="paper-conference", title="T", year=2016)) == {
        "container_title": "Name the proceedings (or the conference) the paper appeared in."}


def test_thesis():
    data = CitationData(type="thesis", title="Fertility control in rural India", authors=[Author("Fisher", "William B")],
                        publisher="Yale University", year=1984)
    assert validate(data) == {}
    assert format_ama(data) == "Fisher WB. Fertility control in rural India. Dissertation. Yale University; 1984."
    data.genre = "Master's thesis"
    assert format_ama(data) == "Fisher WB. Fertility control in rural India. Master's thesis. Yale University; 1984."
    assert format_ama_html(data).startswith("Fisher WB. <em>Fertility control in rural India</em>.")
    assert validate(CitationData(type="thesis", title="T", year=1984)) == {
        "publisher": "Name the institution that awarded the degree."}


def test_preprint():
    data = CitationData(type="preprint", title="Covid-19 in critically ill patients", authors=[Author("Bhatraju", "Pavan K")],
                        container_title="medRxiv", year=2020, published=date(2020, 3, 30), doi="10.1101/2020.03.24.20042937")
    assert validate(data) == {}
    assert format_ama(data) == (
        "Bhatraju PK. Covid-19 in critically ill patients. medRxiv. Preprint posted online March 30, 2020. "
        "doi:10.1101/2020.03.24.20042937"
    )
    data.published = None
    assert "medRxiv. Preprint posted online 2020. doi:" in format_ama(data)
    assert validate(CitationData(type="preprint", title="T", year=2020)) == {
        "container_title": "Name the preprint server (medRxiv, bioRxiv, arXiv...)."}


def test_report_or_guideline():
    data = CitationData(type="report", title="Type 2 diabetes in adults: management",
                        org_author="National Institute for Health and Care Excellence", report_number="NICE guideline NG28",
                        publisher="NICE", year=2015, url="https://www.nice.org.uk/guidance/ng28", accessed=date(2024, 3, 5))
    assert validate(data) == {}
    assert format_ama(data) == (
        "National Institute for Health and Care Excellence. Type 2 diabetes in adults: management. NICE guideline NG28. "
        "NICE; 2015. Accessed March 5, 2024. https://www.nice.org.uk/guidance/ng28"
    )
    assert "<em>Type 2 diabetes in adults: management</em>" in format_ama_html(data)


def test_online_first_article():
    data = CitationData(title="A trial", authors=[Author("Martin", "Anne")], container_title="JAMA", year=2020,
                        published=date(2020, 3, 4), doi="10.1001/jama.2020.1")
    assert format_ama(data) == "Martin A. A trial. JAMA. Published online March 4, 2020. doi:10.1001/jama.2020.1"
    data.volume, data.issue, data.pages = "323", "9", "1-2"
    assert format_ama(data) == "Martin A. A trial. JAMA. 2020;323(9):1-2. doi:10.1001/jama.2020.1"


def test_new_fields_survive_the_dict_round_trip():
    data = CitationData(type="report", title="T", editors=[Author("Kim", "Bo", "Jr")], genre="g", report_number="7",
                        published=date(2020, 1, 2))
    assert CitationData.from_dict(json.loads(json.dumps(data.to_dict()))) == data


# --- importers --------------------------------------------------------------------------------------

MEDLINE_CHAPTER = """PMID- 20301770
STAT- Publisher
DRDT- 20230119
CTDT- 20090203
PB  - University of Washington, Seattle
DP  - 1993
TI  - Feingold Syndrome 1.
BTI - GeneReviews(R)
AB  - CLINICAL CHARACTERISTICS: ...
CI  - Copyright (c) 1993-2023, University of Washington, Seattle.
FED - Adam, Margaret P
ED  - Adam MP
FED - Ardinger, Holly H
ED  - Ardinger HH
FED - Pagon, Roberta A
ED  - Pagon RA
FED - Wallace, Stephanie E
ED  - Wallace SE
FAU - Marcelis, Carlo LM
AU  - Marcelis CL
FAU - de Brouwer, Arjan PM
AU  - de Brouwer AP
LA  - eng
PT  - Review
PT  - Book Chapter
PL  - Seattle (WA)
"""


def test_medline_chapter_keeps_its_editors():
    data = parse("nbib", MEDLINE_CHAPTER).records[0].data
    assert data.editors[:2] == [Author("Adam", "Margaret P"), Author("Ardinger", "Holly H")] and len(data.editors) == 4
    assert data.authors == [Author("Marcelis", "Carlo LM"), Author("de Brouwer", "Arjan PM")]
    assert format_ama(data) == ("Marcelis CLM, de Brouwer APM. Feingold Syndrome 1. In: Adam MP, Ardinger HH, Pagon RA, "
                                "Wallace SE, eds. GeneReviews(R). University of Washington, Seattle; 1993.")


def test_medline_online_first_and_preprint():
    ahead = "PMID- 32125362\nDP  - 2020 Mar 4\nTI  - A trial.\nFAU - Martin, Anne\nAU  - Martin A\nPT  - Journal Article\n" \
            "DEP - 20200304\nTA  - JAMA\nJT  - JAMA\nAID - 10.1001/jama.2020.1 [doi]\n"
    data = parse("nbib", ahead).records[0].data
    assert data.published == date(2020, 3, 4)
    assert format_ama(data) == "Martin A. A trial. JAMA. Published online March 4, 2020. doi:10.1001/jama.2020.1"
    preprint = "PMID- 32511555\nDP  - 2020 Apr 3\nTI  - Covid-19 in critically ill patients.\nFAU - Bhatraju, Pavan K\n" \
               "PT  - Preprint\nDEP - 20200403\nTA  - medRxiv\nJT  - medRxiv : the preprint server for health sciences\n" \
               "LID - 10.1101/2020.03.24.20042937 [doi]\n"
    data = parse("nbib", preprint).records[0].data
    assert data.type == "preprint"
    assert format_ama(data) == ("Bhatraju PK. Covid-19 in critically ill patients. medRxiv. Preprint posted online April 3, "
                                "2020. doi:10.1101/2020.03.24.20042937")


def test_ris_conference_thesis_report_and_chapter_editors():
    ris = """TY  - CPAPER
AU  - Garrido, Mario
A2  - Smith, Jan
TI  - Fast radix-2 FFTs
T2  - Proceedings of the IEEE Symposium on Circuits
VL  - 2
PB  - IEEE
PY  - 2016
SP  - 186
EP  - 190
ER  - 
TY  - THES
AU  - Fisher, William B.
TI  - Fertility control in rural India
PB  - Yale University
M3  - Master's thesis
PY  - 1984
ER  - 
TY  - RPRT
AU  - World Health Organization
TI  - Guidelines on physical activity and sedentary behaviour
PB  - World Health Organization
CY  - Geneva
PY  - 2020
IS  - WHO/2020.1
UR  - https://www.who.int/publications/i/item/9789240015128
Y2  - 2024/03/05
ER  - 
TY  - CHAP
AU  - Lee, Ann
ED  - Kim, Bo
TI  - Asthma
T2  - Pulmonology
PB  - Elsevier
PY  - 2020
SP  - 12
EP  - 19
ER  - 
"""
    paper, thesis, report, chapter = [r.data for r in parse("ris", ris).records]
    assert format_ama(paper) == ("Garrido M. Fast radix-2 FFTs. In: Smith J, ed. Proceedings of the IEEE Symposium on Circuits. "
                                 "Vol 2. IEEE; 2016:186-190.")
    assert format_ama(thesis) == "Fisher WB. Fertility control in rural India. Master's thesis. Yale University; 1984."
    assert report.type == "report" and report.org_author == "World Health Organization"
    assert format_ama(report) == (
        "World Health Organization. Guidelines on physical activity and sedentary behaviour. WHO/2020.1. World Health "
        "Organization; 2020. Accessed March 5, 2024. https://www.who.int/publications/i/item/9789240015128"
    )
    assert format_ama(chapter) == "Lee A. Asthma. In: Kim B, ed. Pulmonology. Elsevier; 2020:12-19."


BIBTEX = r"""
@inproceedings{garrido2016,
  author = {Garrido, Mario},
  editor = {Smith, Jan},
  title = {Fast radix-2 {FFTs}},
  booktitle = {Proceedings of the IEEE Symposium on Circuits},
  volume = {2},
  publisher = {IEEE},
  year = {2016},
  pages = {186--190},
}
@phdthesis{fisher1984,
  author = {Fisher, William B.},
  title = {Fertility control in rural India},
  school = {Yale University},
  year = {1984},
}
@misc{bhatraju2020,
  author = {Bhatraju, Pavan K.},
  title = {Covid-19 in critically ill patients},
  year = {2020},
  date = {2020-03-30},
  eprint = {2003.01234},
  archivePrefix = {arXiv},
  primaryClass = {q-bio.PE},
}
@techreport{nice2015,
  author = {{National Institute for Health and Care Excellence}},
  title = {Type 2 diabetes in adults: management},
  institution = {NICE},
  number = {NG28},
  type = {NICE guideline},
  year = {2015},
  url = {https://www.nice.org.uk/guidance/ng28},
  urldate = {2024-03-05},
}
@book{fleet2014,
  author = {Fleet, David},
  title = {Computer Vision - ECCV 2014},
  volume = {8842},
  publisher = {Springer},
  year = {2014},
}
"""


def test_bibtex_conference_thesis_preprint_report_and_book_volume():
    paper, thesis, preprint, report, book = [r.data for r in parse("bibtex", BIBTEX).records]
    assert format_ama(paper) == ("Garrido M. Fast radix-2 FFTs. In: Smith J, ed. Proceedings of the IEEE Symposium on Circuits. "
                                 "Vol 2. IEEE; 2016:186-190.")
    assert format_ama(thesis) == "Fisher WB. Fertility control in rural India. Dissertation. Yale University; 1984."
    assert format_ama(preprint) == ("Bhatraju PK. Covid-19 in critically ill patients. arXiv. Preprint posted online March 30, "
                                    "2020. https://arxiv.org/abs/2003.01234")
    assert format_ama(report) == (
        "National Institute for Health and Care Excellence. Type 2 diabetes in adults: management. NICE guideline NG28. "
        "NICE; 2015. Accessed March 5, 2024. https://www.nice.org.uk/guidance/ng28"
    )
    assert format_ama(book) == "Fleet D. Computer Vision - ECCV 2014. Vol 8842. Springer; 2014."


def test_csl_json_source_types():
    items = [
        {"type": "paper-conference", "title": "Fast radix-2 FFTs", "author": [{"family": "Garrido", "given": "Mario"}],
         "editor": [{"family": "Smith", "given": "Jan"}], "container-title": "Proceedings of the IEEE Symposium on Circuits",
         "volume": "2", "publisher": "IEEE", "issued": {"date-parts": [[2016]]}, "page": "186-190"},
        {"type": "thesis", "genre": "Master's thesis", "title": "Fertility control in rural India",
         "author": [{"family": "Fisher", "given": "William B."}], "publisher": "Yale University", "issued": {"date-parts": [[1984]]}},
        {"type": "posted-content", "title": "Covid-19 in critically ill patients", "author": [{"family": "Bhatraju", "given": "Pavan K."}],
         "publisher": "Cold Spring Harbor Laboratory", "group-title": "medRxiv", "issued": {"date-parts": [[2020, 3, 30]]},
         "DOI": "10.1101/2020.03.24.20042937"},
        {"type": "report", "title": "Type 2 diabetes in adults: management",
         "author": [{"literal": "National Institute for Health and Care Excellence"}], "publisher": "NICE", "number": "NICE guideline NG28",
         "issued": {"date-parts": [[2015, 12, 2]]}, "URL": "https://www.nice.org.uk/guidance/ng28", "accessed": {"date-parts": [[2024, 3, 5]]}},
        {"type": "article-journal", "title": "A trial", "author": [{"family": "Martin", "given": "Anne"}], "container-title": "JAMA",
         "issued": {"date-parts": [[2020, 3, 4]]}, "DOI": "10.1001/jama.2020.1"},
    ]
    paper, thesis, preprint, report, online_first = [r.data for r in parse("csl-json", json.dumps(items)).records]
    assert format_ama(paper).startswith("Garrido M. Fast radix-2 FFTs. In: Smith J, ed. Proceedings")
    assert format_ama(thesis) == "Fisher WB. Fertility control in rural India. Master's thesis. Yale University; 1984."
    assert format_ama(preprint) == ("Bhatraju PK. Covid-19 in critically ill patients. medRxiv. Preprint posted online March 30, "
                                    "2020. doi:10.1101/2020.03.24.20042937")
    assert format_ama(report).startswith("National Institute for Health and Care Excellence. Type 2 diabetes in adults: "
                                          "management. NICE guideline NG28. NICE; 2015. Accessed")
    assert format_ama(online_first) == "Martin A. A trial. JAMA. Published online March 4, 2020. doi:10.1001/jama.2020.1"


def test_medline_whole_book_record_is_a_book_not_a_chapter_of_itself():
    # PubMed's record for a whole book: BTI and FED, no TI (issue #18 audit).
    text = ("PMID- 20301295\nBTI - GeneReviews(R)\nFED - Adam, Margaret P\nFED - Ardinger, Holly H\n"
            "PB  - University of Washington, Seattle\nCY  - Seattle (WA)\nDP  - 1993\nPT  - Review\nPT  - Book\n")
    from editorial.citations import format_ama, parse
    data = parse("nbib", text).records[0].data
    assert data.container_title == ""
    assert format_ama(data) == "Adam MP, Ardinger HH, eds. GeneReviews(R). University of Washington, Seattle; 1993."
