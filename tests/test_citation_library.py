"""The citation library through the API and the pages: create, duplicates, import, retract, the gate."""
import pytest
from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.citations.models import Citation
from tests.conftest import shared_path

TOM = {
    "type": "consensus-statement",
    "title": "The American Brachytherapy Society consensus statement on intraoperative radiation therapy",
    "authors": [{"family": "Tom", "given": "Martin C"}, {"family": "Joshi", "given": "Nikhil"},
                {"family": "Vicini", "given": "Frank"}, {"family": "Chang", "given": "Albert J"},
                {"family": "Hong", "given": "Theodore S"}, {"family": "Showalter", "given": "Timothy N"},
                {"family": "Chao", "given": "Samuel T"}],
    "container_title": "Brachytherapy", "year": 2019, "volume": "18", "issue": "3", "pages": "242-257",
    "doi": "https://doi.org/10.1016/J.BRACHY.2018.12.005",
}

RIS = """TY  - JOUR
AU  - Smith, Anna B
AU  - Jones, Carl
TI  - Partial breast irradiation after lumpectomy
JO  - Int J Radiat Oncol Biol Phys
PY  - 2021
VL  - 110
IS  - 2
SP  - 300
EP  - 309
DO  - 10.1016/j.ijrobp.2021.01.001
ER  -
TY  - JOUR
AU  - Nobody, Known
TI  - A record with a broken DOI
JO  - J Broken
PY  - 2020
DO  - not-a-doi
ER  -
"""


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Citation.id)))


def test_create_formats_in_ama_and_normalises_the_doi(newsroom):
    response = newsroom.call("POST", "/citations", newsroom.writer, TOM)
    assert response.status_code == 201
    body = response.json
    assert body["key"] == "tom2019a"  # tom2019 is taken by the newsroom's own citation
    assert body["doi"] == "10.1016/j.brachy.2018.12.005"
    assert body["formatted"] == (
        "Tom MC, Joshi N, Vicini F, et al. The American Brachytherapy Society consensus statement on intraoperative "
        "radiation therapy. Brachytherapy. 2019;18(3):242-257. doi:10.1016/j.brachy.2018.12.005"
    )


def test_same_doi_or_pmid_is_not_a_second_record(newsroom, app):
    first = newsroom.call("POST", "/citations", newsroom.writer, TOM).json
    before = count(app)
    again = newsroom.call("POST", "/citations", newsroom.editor, {**TOM, "doi": "doi:10.1016/j.brachy.2018.12.005"})
    assert again.status_code == 200 and again.json["id"] == first["id"] and again.json["created"] is False
    assert count(app) == before


@pytest.mark.parametrize("change, field", [
    ({"doi": "11.1234/abc"}, "doi"),
    ({"doi": "10.12/too-short-prefix"}, "doi"),
    ({"pmid": "0123"}, "pmid"),
    ({"pmid": "123456789"}, "pmid"),
    ({"year": 1500}, "year"),
    ({"title": "  "}, "title"),
    ({"authors": [{"family": " ", "given": "Anne"}]}, "authors"),
    ({"type": "tweet"}, "type"),
])
def test_malformed_fields_are_422_and_create_nothing(newsroom, app, change, field):
    before = count(app)
    response = newsroom.call("POST", "/citations", newsroom.writer, {**TOM, **change})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert count(app) == before


def test_reviewers_and_auditors_cannot_add_citations(newsroom):
    for user in (newsroom.reviewer, newsroom.auditor):
        assert newsroom.call("POST", "/citations", user, TOM).status_code == 403


def test_import_keeps_the_good_records_reports_the_bad_and_is_repeatable(newsroom, app):
    before = count(app)
    first = newsroom.call("POST", "/citations/import", newsroom.writer, {"format": "ris", "text": RIS})
    assert first.status_code == 201
    assert [c["key"] for c in first.json["created"]] == ["smith2021"]
    assert len(first.json["rejected"]) == 1 and "doi" in first.json["rejected"][0]["errors"]
    assert count(app) == before + 1
    second = newsroom.call("POST", "/citations/import", newsroom.writer, {"format": "ris", "text": RIS})
    assert second.status_code == 200 and second.json["created"] == []
    assert [c["key"] for c in second.json["reused"]] == ["smith2021"]
    assert count(app) == before + 1


def test_import_of_garbage_is_422(newsroom, app):
    before = count(app)
    for body in ({"format": "ris", "text": "\x00\x01 nothing here"}, {"format": "word", "text": "x"}):
        response = newsroom.call("POST", "/citations/import", newsroom.writer, body)
        assert response.status_code == 422, response.json
    assert count(app) == before


@pytest.mark.parametrize("fmt, folder, name", [
    ("ris", "ris", "asreview__pubmed_zotero.ris"),
    ("nbib", "nbib", "pybtexnbib__marcelis-20301770.nbib"),
    ("bibtex", "bibtex", "jabref__jabref-authors.bib"),
    ("csl-json", "csl-json", "commonmeta-py__csl-list.json"),
])
def test_real_exports_import_through_the_api(newsroom, app, fmt, folder, name):
    text = shared_path("samples", "citations", folder, name).read_text(encoding="utf-8", errors="replace")
    response = newsroom.call("POST", "/citations/import", newsroom.writer, {"format": fmt, "text": text})
    assert response.status_code in (200, 201), response.json
    assert response.json["created"], response.json["rejected"][:3]
    assert all(c["formatted"] for c in response.json["created"])


def test_retraction_blocks_submit_and_publish(newsroom, app):
    n = newsroom
    article = n.create()
    aid = article["id"]
    n.attach(aid)
    n.assign(aid, n.reviewer)
    assert n.call("POST", f"/citations/{n.citation.id}/retraction", n.writer, {"note": "x"}).status_code == 403
    retracted = n.call("POST", f"/citations/{n.citation.id}/retraction", n.editor, {"note": "Retracted by the journal."})
    assert retracted.status_code == 200 and retracted.json["retracted"] is True
    refused = n.act(aid, n.writer, "submit")
    assert refused.status_code == 422 and "retracted" in refused.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "citation.retracted")) == 1


def test_published_article_cannot_be_republished_citing_a_retracted_source(newsroom):
    n = newsroom
    article = n.approved()
    n.call("POST", f"/citations/{n.citation.id}/retraction", n.editor, {"note": "Retracted."})
    refused = n.act(article["id"], n.editor, "publish")
    assert refused.status_code == 422 and "retracted" in refused.json["error"]["message"]


def test_attach_refusals(newsroom):
    n = newsroom
    article = n.create()
    aid = article["id"]
    assert n.call("POST", f"/articles/{aid}/citations", n.writer, {"citation_id": 999999}).status_code == 422
    n.attach(aid)
    assert n.call("POST", f"/articles/{aid}/citations", n.writer, {"citation_id": n.citation.id}).status_code == 422
    assert n.call("DELETE", f"/articles/{aid}/citations/999999", n.writer).status_code == 404
    detached = n.call("DELETE", f"/articles/{aid}/citations/{n.citation.id}", n.writer)
    assert detached.status_code == 200 and detached.json["citations"] == []


def test_library_pages(client, login, newsroom, app):
    login(newsroom.writer)
    response = client.post("/citations/new", data={
        "type": "article-journal", "title": "Partial breast radiation", "authors": "Smith, Anna B\nJones, Carl",
        "container_title": "Breast J", "year": "2022", "doi": "10.1111/tbj.12345",
    })
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Smith AB, Jones C. Partial breast radiation." in detail
    bad = client.post("/citations/new", data={"type": "article-journal", "title": "X", "authors": "Smith, A",
                                              "container_title": "J", "year": "2022", "doi": "banana"})
    assert bad.status_code == 422 and 'class="field-error"' in bad.get_data(as_text=True)
    imported = client.post("/citations/import", data={"format": "ris", "text": RIS})
    page = imported.get_data(as_text=True)
    assert "1</strong> added" in page and "1</strong> not imported" in page
    listing = client.get("/citations/?q=partial").get_data(as_text=True)
    assert "Partial breast radiation" in listing


def test_editor_retracts_in_the_page(client, login, newsroom):
    login(newsroom.editor)
    empty = client.post(f"/citations/{newsroom.citation.id}/retract", data={"note": ""})
    assert empty.status_code == 422
    done = client.post(f"/citations/{newsroom.citation.id}/retract", data={"note": "Retraction notice, 2025."})
    assert done.status_code == 302
    assert "Retraction notice, 2025." in client.get(f"/citations/{newsroom.citation.id}").get_data(as_text=True)


def test_uncited_and_old_sources_warn_but_do_not_block(client, login, newsroom, app):
    n = newsroom
    old = n.make_citation(key="old2001", year=2001)
    article = n.create(body="Only [@tom2019] is cited.")
    n.attach(article["id"])
    n.attach(article["id"], old.id)
    n.assign(article["id"], n.reviewer)
    login(n.writer)
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert "[@old2001] is attached but never cited in the text." in page
    assert "[@old2001] is from 2001, more than 5 years ago" in page
    submitted = client.post(f"/articles/{article['id']}/transition", data={"action": "submit"}, follow_redirects=True)
    html = submitted.get_data(as_text=True)
    assert "badge-in_review" in html and "never cited in the text" in html


def test_real_exports_reach_the_published_page_as_numbered_ama_references(newsroom, client):
    n = newsroom
    ris = shared_path("samples", "citations", "ris", "asreview__pubmed_zotero.ris").read_text(encoding="utf-8")
    nbib = shared_path("samples", "citations", "nbib", "pybtexnbib__marcelis-20301770.nbib").read_text(encoding="utf-8")
    from_ris = n.call("POST", "/citations/import", n.writer, {"format": "ris", "text": ris}).json["created"][0]
    from_nbib = n.call("POST", "/citations/import", n.writer, {"format": "nbib", "text": nbib}).json["created"][0]
    article = n.create(body=f"Second source first [@{from_nbib['key']}], then the first [@{from_ris['key']}].")
    aid = article["id"]
    n.attach(aid, from_ris["id"])
    n.attach(aid, from_nbib["id"])
    n.assign(aid, n.reviewer)
    n.act(aid, n.writer, "submit")
    n.sign(aid, n.reviewer)
    published = n.act(aid, n.editor, "publish").json
    page = client.get(f"/health/{published['slug']}").get_data(as_text=True)
    # numbered in order of first citation in the text: the .nbib record is 1, the RIS record 2
    references = page.split("References", 1)[1]
    first = references.index(from_nbib["formatted"].split(".")[0])
    second = references.index(from_ris["formatted"].split(".")[0])
    assert first < second
    public = client.get(f"/api/v1/published/{published['slug']}").json
    assert public["references"][0].startswith(from_nbib["formatted"].split(".")[0])
