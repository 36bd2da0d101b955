"""Importer rules (#18): "and others", LaTeX superscripts and quotes, organisation-looking people, incomplete records."""
from editorial.citations import format_ama, parse


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
