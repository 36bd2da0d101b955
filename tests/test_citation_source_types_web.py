"""New source types through the API and the pages (#18): additive fields, the form, the detail page."""

PREPRINT = {
    "type": "preprint", "title": "Covid-19 in critically ill patients", "authors": [{"family": "Bhatraju", "given": "Pavan K"}],
    "container_title": "medRxiv", "year": 2020, "published": "2020-03-30", "doi": "10.1101/2020.03.24.20042937",
}
CHAPTER = {
    "type": "book", "title": "Feingold syndrome 1", "authors": [{"family": "Marcelis", "given": "Carlo LM"}],
    "editors": [{"family": "Adam", "given": "Margaret P"}, {"family": "Coe", "given": "Robert T", "suffix": "Jr"}],
    "container_title": "GeneReviews", "publisher": "University of Washington, Seattle", "year": 1993, "volume": "2",
}


def test_api_takes_and_answers_the_new_fields(newsroom):
    preprint = newsroom.call("POST", "/citations", newsroom.writer, PREPRINT)
    assert preprint.status_code == 201, preprint.json
    assert preprint.json["formatted"] == ("Bhatraju PK. Covid-19 in critically ill patients. medRxiv. Preprint posted online "
                                          "March 30, 2020. doi:10.1101/2020.03.24.20042937")
    assert preprint.json["published"] == "2020-03-30"
    chapter = newsroom.call("POST", "/citations", newsroom.writer, CHAPTER).json
    assert chapter["formatted"] == ("Marcelis CLM. Feingold syndrome 1. In: Adam MP, Coe RT Jr, eds. GeneReviews. Vol 2. "
                                    "University of Washington, Seattle; 1993.")
    assert chapter["editors"][1] == {"family": "Coe", "given": "Robert T", "suffix": "Jr"}
    assert chapter["publisher"] == "University of Washington, Seattle"
    report = newsroom.call("POST", "/citations", newsroom.writer, {
        "type": "report", "title": "Hypertension in adults", "org_author": "NICE", "report_number": "NICE guideline NG136",
        "publisher": "NICE", "year": 2019, "url": "https://www.nice.org.uk/guidance/ng136", "accessed": "2024-03-05"}).json
    assert report["report_number"] == "NICE guideline NG136" and "NICE guideline NG136. NICE; 2019." in report["formatted"]
    thesis = newsroom.call("POST", "/citations", newsroom.writer, {
        "type": "thesis", "title": "Fertility control", "authors": [{"family": "Fisher", "given": "W"}], "year": 1984,
        "genre": "Master's thesis"})
    assert thesis.status_code == 422 and "publisher" in thesis.json["error"]["fields"]


def test_the_form_adds_a_conference_paper_and_the_detail_page_shows_its_parts(client, login, newsroom):
    login(newsroom.writer)
    form = client.get("/citations/new").get_data(as_text=True)
    for label in ("Editors", "Conference paper", "Thesis", "Preprint", "Report or guideline", "Report number",
                  "Published online"):
        assert label in form
    response = client.post("/citations/new", data={
        "type": "paper-conference", "title": "Fast radix-2 FFTs", "authors": "Garrido, Mario", "editors": "Smith, Jan\nRoe, Al",
        "container_title": "Proceedings of ISCAS", "publisher": "IEEE", "year": "2016", "volume": "2", "pages": "186-90",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Garrido M. Fast radix-2 FFTs. In: Smith J, Roe A, eds. <em>Proceedings of ISCAS</em>. Vol 2. IEEE; 2016:186-190." in detail
    assert "Conference paper" in detail and "Smith, Jan; Roe, Al" in detail
    bad = client.post("/citations/new", data={"type": "thesis", "title": "T", "year": "1984", "editors": "not a, name, at, all ,,"})
    assert bad.status_code == 422
