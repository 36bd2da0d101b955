"""Adding a source by DOI or PMID: Crossref and PubMed answers recorded under tests/fixtures/lookup,
injected as app.config["CITATION_LOOKUP_FETCH"] (the suite's default one refuses the network)."""
import html
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from editorial.citations.lookup import LookupFailed, fetch_record, from_crossref, parse_identifier
from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.citations.models import Citation

RECORDED = Path(__file__).parent / "fixtures" / "lookup"
DOI = "10.1056/nejmoa2034577"
PMID = "33301246"
POLACK = ("Polack FP, Thomas SJ, Kitchin N, et al; C4591001 Clinical Trial Group. Safety and Efficacy of the BNT162b2 mRNA Covid-19 Vaccine. "
          "N Engl J Med. 2020;383(27):2603-2615.")


def recorded(answers: dict | None = None, asked: list | None = None):
    """A fetch answering as Crossref and efetch did (the fixtures); `answers` maps a URL part to
    (status, body) or to an exception to raise instead."""
    answers = answers if answers is not None else {
        "api.crossref.org/works/10.1056/nejmoa2034577": (200, (RECORDED / "crossref-10.1056-nejmoa2034577.json").read_bytes()),
        "efetch.fcgi": (200, (RECORDED / "efetch-33301246.medline").read_bytes()),
    }

    def fetch(url, headers, timeout):
        if asked is not None:
            asked.append((url, headers, timeout))
        for part, answer in answers.items():
            if part in url:
                if isinstance(answer, BaseException):
                    raise answer
                return answer
        return 404, (RECORDED / "crossref-not-found.txt").read_bytes()

    return fetch


@pytest.fixture
def answers(app, monkeypatch):
    def use(fetch):
        monkeypatch.setitem(app.config, "CITATION_LOOKUP_FETCH", fetch)
        return fetch

    use(recorded())
    return use


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Citation.id)))


@pytest.mark.parametrize("pasted, kind, value", [
    ("10.1056/NEJMoa2034577", "doi", DOI),
    ("https://doi.org/10.1056/NEJMoa2034577", "doi", DOI),
    ("doi:10.1056/NEJMoa2034577.", "doi", DOI),
    (" 33301246 ", "pmid", PMID),
    ("PMID: 33301246", "pmid", PMID),
    ("https://pubmed.ncbi.nlm.nih.gov/33301246/", "pmid", PMID),
    ("https://www.ncbi.nlm.nih.gov/pubmed/33301246", "pmid", PMID),
])
def test_what_writers_paste_is_read(pasted, kind, value):
    identifier = parse_identifier(pasted)
    assert (identifier.kind, identifier.value) == (kind, value)


@pytest.mark.parametrize("pasted, message", [
    ("", "Paste a DOI"), ("banana", "DOI must start with"), ("0123", "cannot start with 0"),
    ("https://example.org/10.1056/x", "Only doi.org and PubMed links"), ("https://pubmed.ncbi.nlm.nih.gov/?term=x", "names no article"),
])
def test_anything_else_is_refused_with_a_reason(pasted, message):
    with pytest.raises(ValueError, match=message):
        parse_identifier(pasted)


def test_crossref_is_asked_politely_and_its_json_read_as_csl():
    asked = []
    data = fetch_record(parse_identifier(DOI), fetch=recorded(asked=asked), mailto="desk@example.org", timeout=3)
    url, headers, timeout = asked[0]
    assert url.startswith("https://api.crossref.org/works/10.1056/nejmoa2034577?")
    assert parse_qs(urlsplit(url).query)["mailto"] == ["desk@example.org"]
    assert "mailto:desk@example.org" in headers["User-Agent"] and timeout == 3
    assert (data.title, data.container_title, data.year, data.volume, data.issue, data.pages) == (
        "Safety and Efficacy of the BNT162b2 mRNA Covid-19 Vaccine", "N Engl J Med", 2020, "383", "27", "2603-2615")
    assert [a.family for a in data.authors][:2] == ["Polack", "Thomas"] and data.org_author == "C4591001 Clinical Trial Group"


def test_pubmed_is_asked_with_the_api_key_and_read_as_medline():
    asked = []
    data = fetch_record(parse_identifier(PMID), fetch=recorded(asked=asked), ncbi_api_key="k3y")
    query = parse_qs(urlsplit(asked[0][0]).query)
    assert query["id"] == [PMID] and query["rettype"] == ["medline"] and query["db"] == ["pubmed"] and query["api_key"] == ["k3y"]
    assert data.pmid == PMID and data.doi == DOI and data.container_title == "N Engl J Med"


@pytest.mark.parametrize("answer, message, not_found", [
    (OSError("Network is unreachable"), "Crossref could not be reached.", False),
    (TimeoutError("timed out"), "Crossref did not answer in time.", False),
    ((503, (RECORDED / "gateway-error.html").read_bytes()), "Crossref answered with an error (HTTP 503).", False),
    ((200, (RECORDED / "gateway-error.html").read_bytes()), "Crossref's answer could not be read.", False),
    ((200, b'{"status": "ok", "message": []}'), "Crossref's answer could not be read.", False),
    ((404, b"Resource not found."), "Crossref has no record of this DOI.", True),
])
def test_every_crossref_failure_is_a_lookup_failure(answer, message, not_found):
    with pytest.raises(LookupFailed) as failure:
        fetch_record(parse_identifier(DOI), fetch=recorded({"crossref": answer}))
    assert failure.value.message == message and failure.value.not_found is not_found


def test_pubmed_not_knowing_the_pmid_is_not_found():
    for answer in [(200, b""), (200, b"id: 99999999 Error occurred: The following PMID is not available.\n"), (400, b"")]:
        with pytest.raises(LookupFailed, match="PubMed has no article") as failure:
            fetch_record(parse_identifier("99999999"), fetch=recorded({"efetch": answer}))
        assert failure.value.not_found


def test_garbage_json_from_crossref_never_escapes_as_another_error():
    for body in [b"[]", b"null", b'{"message": {"title": 5, "author": "x", "issued": 3}}', b"\xff\xfe"]:
        with pytest.raises(LookupFailed):
            from_crossref(body)


def _inputs(page: str) -> dict:
    """The confirmation form's filled-in values, as the browser would send them."""
    import re

    values = {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = html.unescape(text).lstrip("\n")
    values["type"] = re.search(r'<option selected value="([^"]+)"|<option value="([^"]+)" selected', page).group(0).split('"')[1]
    return values


def test_a_writer_pastes_a_doi_checks_the_record_and_saves_it(client, login, newsroom, app, answers):
    login(newsroom.writer)
    assert "Add by DOI or PMID" in client.get("/citations/").get_data(as_text=True)
    before = count(app)
    page = client.post("/citations/lookup", data={"identifier": "https://doi.org/10.1056/NEJMoa2034577"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check the record from Crossref" in text
    assert "N Engl J Med</em>. 2020;383(27):2603-2615." in text and 'value="N Engl J Med"' in text
    assert "Polack, Fernando P." in text and count(app) == before  # shown, not saved
    fields = _inputs(text)
    assert fields["origin"] == "doi" and fields["doi"] == DOI
    saved = client.post("/citations/new", data=fields)
    assert saved.status_code == 302
    detail = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Added as [@polack2020]." in detail and POLACK in html.unescape(detail).replace("<em>", "").replace("</em>", "")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "citation.created")
                                   .order_by(AuditEvent.id.desc())).first()
        assert json.loads(event.detail)["source"] == "lookup:doi"


def test_a_pubmed_link_fetches_the_medline_record(client, login, newsroom, answers):
    login(newsroom.writer)
    page = client.post("/citations/lookup", data={"identifier": "https://pubmed.ncbi.nlm.nih.gov/33301246/"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check the record from PubMed" in text
    assert 'value="33301246"' in text and f'value="{DOI}"' in text


def test_a_source_already_in_the_library_is_reused_without_asking_anyone(client, login, newsroom, app, answers):
    existing = newsroom.make_citation(key="polack2020", doi=DOI)
    answers(recorded({"": AssertionError("the library answers first")}))
    login(newsroom.writer)
    for pasted in (DOI, "https://doi.org/10.1056/NEJMOA2034577"):
        response = client.post("/citations/lookup", data={"identifier": pasted})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/citations/{existing.id}")
    page = client.get(f"/citations/{existing.id}").get_data(as_text=True)
    assert "This source is already in the library as [@polack2020]; use that record." in page


def test_a_pmid_whose_record_names_a_doi_already_in_the_library_reuses_that_record(client, login, newsroom, answers):
    existing = newsroom.make_citation(key="polack2020", doi=DOI)
    login(newsroom.writer)
    response = client.post("/citations/lookup", data={"identifier": PMID})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/citations/{existing.id}")


@pytest.mark.parametrize("answer, message", [
    (OSError("offline"), "Crossref could not be reached."),
    (TimeoutError(), "Crossref did not answer in time."),
    ((500, b"oops"), "Crossref answered with an error (HTTP 500)."),
    ((200, b"<html>garbage</html>"), "Crossref's answer could not be read."),
])
def test_offline_or_an_error_offers_the_hand_form_with_the_doi(client, login, newsroom, app, answers, answer, message):
    answers(recorded({"crossref": answer}))
    login(newsroom.writer)
    before = count(app)
    response = client.post("/citations/lookup", data={"identifier": "doi:10.1056/NEJMoa2034577"})
    assert response.status_code == 302 and "/citations/new?doi=10.1056" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{message} Fill in the source by hand: its DOI is filled in." in html.unescape(page)
    assert f'name="doi" type="text" value="{DOI}"' in page and "<h1>Add a citation</h1>" in page
    assert count(app) == before


def test_a_pmid_pubmed_cannot_be_reached_for_prefills_the_pmid(client, login, newsroom, answers):
    answers(recorded({"efetch": OSError("offline")}))
    login(newsroom.writer)
    response = client.post("/citations/lookup", data={"identifier": "PMID: 33301246"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "PubMed could not be reached. Fill in the source by hand: its PMID is filled in." in page
    assert 'name="pmid" type="text" value="33301246"' in page


def test_unknown_or_malformed_identifiers_are_field_errors(client, login, newsroom, answers):
    login(newsroom.writer)
    unknown = client.post("/citations/lookup", data={"identifier": "10.9999/no-such-paper"})
    page = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and 'class="field-error"' in page and "Crossref has no record of this DOI." in page
    assert "/citations/new?doi=10.9999" in page  # the hand form, with what is known
    malformed = client.post("/citations/lookup", data={"identifier": "banana"})
    assert malformed.status_code == 422 and "DOI must start with" in malformed.get_data(as_text=True)


def test_the_suite_itself_never_reaches_the_network(client, login, newsroom):
    login(newsroom.writer)
    response = client.post("/citations/lookup", data={"identifier": DOI}, follow_redirects=True)
    assert "Crossref could not be reached." in response.get_data(as_text=True)


def test_the_api_adds_by_identifier_and_reuses_the_record(newsroom, app, answers):
    created = newsroom.call("POST", "/citations/lookup", newsroom.writer, {"identifier": "https://doi.org/10.1056/NEJMoa2034577"})
    assert created.status_code == 201 and created.json["created"] is True
    assert created.json["formatted"].startswith(POLACK) and created.json["doi"] == DOI
    again = newsroom.call("POST", "/citations/lookup", newsroom.writer, {"identifier": PMID})
    assert again.status_code == 200 and again.json["id"] == created.json["id"] and again.json["created"] is False


def test_the_api_says_why_a_lookup_failed(newsroom, app, answers):
    assert newsroom.call("POST", "/citations/lookup", newsroom.writer, {"identifier": "x"}).status_code == 422
    unknown = newsroom.call("POST", "/citations/lookup", newsroom.writer, {"identifier": "10.9999/none"})
    assert unknown.status_code == 422 and unknown.json["error"]["fields"]["identifier"] == "Crossref has no record of this DOI."
    answers(recorded({"crossref": TimeoutError()}))
    late = newsroom.call("POST", "/citations/lookup", newsroom.writer, {"identifier": DOI})
    assert late.status_code == 502 and late.json["error"]["code"] == "source_unavailable"
    assert newsroom.call("POST", "/citations/lookup", newsroom.reviewer, {"identifier": DOI}).status_code == 403
