"""Incomplete records and warnings on import (#18): kept and listed with what is missing, never a half record."""
from sqlalchemy import select

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent

TITLE_ONLY = "PMID- 31234567\nTI  - Outcomes of partial breast irradiation.\n"
WHO = "@article{who2020,\n  author = {World Health Organization and others},\n  title = {Situation report 51},\n" \
      "  journal = {WHO},\n  year = {2020}\n}\n"


def test_api_imports_an_incomplete_record_and_says_what_is_missing(newsroom, app):
    response = newsroom.call("POST", "/citations/import", newsroom.writer, {"format": "nbib", "text": TITLE_ONLY})
    assert response.status_code == 201
    created = response.json["created"][0]
    assert created["incomplete"] is True
    assert created["missing"] == ["Year is required.", "Journal name is required."]
    assert response.json["rejected"] == []
    assert created["formatted"] == "Outcomes of partial breast irradiation."
    # Adding the same source by hand completes the record instead of refusing it as a duplicate.
    completed = newsroom.call("POST", "/citations", newsroom.writer, {
        "title": "Outcomes of partial breast irradiation", "authors": [{"family": "Smith", "given": "Anna"}],
        "container_title": "Breast J", "year": 2020, "pmid": "31234567"})
    assert completed.status_code == 200 and completed.json["id"] == created["id"]
    assert completed.json["incomplete"] is False and completed.json["missing"] == []
    assert completed.json["formatted"] == "Smith A. Outcomes of partial breast irradiation. Breast J. 2020."
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "citation.completed")) is not None


def test_api_import_answers_warnings(newsroom):
    response = newsroom.call("POST", "/citations/import", newsroom.writer, {"format": "bibtex", "text": WHO})
    assert response.status_code == 201
    assert response.json["warnings"] == [{"record": "record 1: Situation report 51", "warnings": [
        '"World Health Organization" reads as a person: put an organisation in braces ({World Health Organization}) or '
        'enter it as the organisation author.']}]
    assert response.json["created"][0]["formatted"].startswith("Organization WH, et al. Situation report 51.")


def test_import_page_lists_incomplete_records_and_warnings(client, login, newsroom):
    login(newsroom.writer)
    page = client.post("/citations/import", data={"format": "nbib", "text": TITLE_ONLY}).get_data(as_text=True)
    assert "1</strong> incomplete" in page
    assert "Outcomes of partial breast irradiation" in page and "Missing: Year is required. Journal name is required." in page
    page = client.post("/citations/import", data={"format": "bibtex", "text": WHO}).get_data(as_text=True)
    assert "Check these records" in page and "reads as a person" in page
    listing = client.get("/citations/").get_data(as_text=True)
    assert "incomplete" in listing


def test_export_the_library_and_an_articles_references(newsroom, client, login):
    n = newsroom
    article = n.create()
    n.attach(article["id"])
    ris = n.call("GET", "/citations/export?format=ris", n.writer)
    assert ris.status_code == 200 and ris.headers["Content-Type"].startswith("application/x-research-info-systems")
    assert "TY  - " in ris.get_data(as_text=True)
    refs = n.call("GET", f"/articles/{article['id']}/citations/export?format=bibtex", n.writer)
    assert refs.status_code == 200 and f"@" in refs.get_data(as_text=True)
    assert "attachment" in refs.headers["Content-Disposition"]
    assert n.call("GET", "/citations/export?format=docx", n.writer).status_code == 422
    login(n.writer)
    page = client.get("/citations/")
    assert 'href="/citations/export?format=ris"' in page.get_data(as_text=True)
    download = client.get(f"/citations/export?format=csl-json&article_id={article['id']}")
    assert download.status_code == 200 and download.json[0]["id"] == n.citation.key
    assert client.get("/citations/export?format=docx").status_code == 400


def test_an_article_citing_an_incomplete_record_cannot_be_submitted_until_it_is_completed(newsroom):
    n = newsroom
    created = n.call("POST", "/citations/import", n.writer, {"format": "nbib", "text": TITLE_ONLY}).json["created"][0]
    article = n.create(body=f"Partial irradiation [@{created['key']}].")
    n.attach(article["id"], created["id"])
    assert n.assign(article["id"], n.reviewer).status_code == 201
    refused = n.act(article["id"], n.writer, "submit")
    assert refused.status_code == 422
    assert f"These sources are incomplete: {created['key']}" in refused.json["error"]["message"]
    n.call("POST", "/citations", n.writer, {
        "title": "Outcomes of partial breast irradiation", "authors": [{"family": "Smith", "given": "Anna"}],
        "container_title": "Breast J", "year": 2020, "pmid": "31234567"})
    assert n.act(article["id"], n.writer, "submit").status_code == 200
