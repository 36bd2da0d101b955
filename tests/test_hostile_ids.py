"""Numbers and ids past what the database holds, in places the GET walk (test_hostile_requests)
does not reach: a page number that fits 32 bits but runs the history's arithmetic past them, and
reference ids posted by the edit form and the preview. Each answered 500 before (issue #17)."""
import pytest

BEYOND = ["99999999999999999999", str(2**63), str(2**31), "-1"]


@pytest.mark.parametrize("page", ["45000000", "2147483646", "2147483647"])
def test_a_history_page_past_the_last_shows_the_last(app, newsroom, login, page):
    article = newsroom.create()
    client = app.test_client()
    login(newsroom.writer, client)
    response = client.get(f"/articles/{article['id']}/history?page={page}")
    assert response.status_code == 200
    assert "Created" in response.get_data(as_text=True)  # the oldest (and only) revision's note


@pytest.mark.parametrize("value", BEYOND)
def test_an_edit_naming_a_reference_id_beyond_the_database_is_a_field_error(app, newsroom, login, value):
    article = newsroom.create()
    client = app.test_client()
    login(newsroom.writer, client)
    response = client.post(f"/articles/{article['id']}/edit", data={
        "title": "Intraoperative radiation therapy", "body": "Changed.", "base_version": 1,
        "references_in_form": "1", "citation_ids": value})
    assert response.status_code == 422
    assert "The reference list must be citation ids." in response.get_data(as_text=True)
    assert newsroom.article(article["id"])["version"] == 1


@pytest.mark.parametrize("value", [99999999999999999999, 2**63, 2**31, 0, -1])
def test_a_preview_naming_a_reference_id_beyond_the_database_is_refused(app, newsroom, login, value):
    article = newsroom.create()
    client = app.test_client()
    login(newsroom.writer, client)
    response = client.post(f"/articles/{article['id']}/preview", json={"body": "Text.", "citation_ids": [value]})
    assert response.status_code == 422
    assert "citation ids" in response.get_data(as_text=True)
