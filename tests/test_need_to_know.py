"""Need to know (21 CFR Part 11 §11.10(d)): a signed-in user who is not working on an article (another
writer, an unassigned reviewer) sees its live revision only, as readers do: not the unreviewed working
draft, its revisions, diffs, review thread or the reviewers' declared conflicts, nor its draft title in
lists and search.
"""
import pytest

DRAFT_TITLE = "Unreviewed new title about doses"
DRAFT_TEXT = "Take 500 mg four times a day"


@pytest.fixture
def live_with_draft(newsroom, make_user):
    n = newsroom
    article = n.published()
    aid = article["id"]
    edited = n.call("PATCH", f"/articles/{aid}", n.writer, {
        "base_version": article["version"], "title": DRAFT_TITLE, "body": f"{DRAFT_TEXT} [@tom2019].", "note": "dose"})
    assert edited.status_code == 200
    outsiders = {"writer": n.other_writer, "reviewer": make_user("reviewer", name="Dr. Not Assigned", credentials="MD")}
    return edited.json, outsiders


@pytest.mark.parametrize("who", ["writer", "reviewer"])
def test_the_desk_page_of_a_live_article_shows_an_outsider_the_live_page(client, login, live_with_draft, who):
    article, outsiders = live_with_draft
    login(outsiders[who])
    page = client.get(f"/articles/{article['id']}")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/health/{article['slug']}")
    live = client.get(page.headers["Location"]).get_data(as_text=True)
    assert DRAFT_TEXT not in live and DRAFT_TITLE not in live


@pytest.mark.parametrize("who", ["writer", "reviewer"])
@pytest.mark.parametrize("path", ["/history", "/diff?from=1&to=2", "/revisions/1", "/edit"])
def test_an_outsider_gets_no_revision_history_or_diff(client, login, live_with_draft, who, path):
    article, outsiders = live_with_draft
    login(outsiders[who])
    response = client.get(f"/articles/{article['id']}{path}")
    assert response.status_code == 403
    assert DRAFT_TEXT not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["", "/revisions", "/revisions/1", "/diff?from=1&to=2"])
def test_the_api_gives_an_outsider_nothing_of_the_working_article(newsroom, token_for, live_with_draft, path):
    article, outsiders = live_with_draft
    for user in outsiders.values():
        response = newsroom.client.get(f"/api/v1/articles/{article['id']}{path}", headers=token_for(user))
        assert response.status_code == 403, (user.name, path)
        assert DRAFT_TEXT not in response.get_data(as_text=True)
        assert f"/published/{article['slug']}" in response.json["error"]["message"]


def test_lists_and_search_do_not_show_an_outsider_draft_titles(client, login, newsroom, token_for, live_with_draft):
    article, outsiders = live_with_draft
    for user in outsiders.values():
        listed = newsroom.client.get("/api/v1/articles?q=unreviewed", headers=token_for(user)).json
        assert listed["total"] == 0
        login(user)
        assert DRAFT_TITLE not in client.get("/articles/?q=unreviewed").get_data(as_text=True)
        assert DRAFT_TITLE not in client.get("/articles/").get_data(as_text=True)


def test_those_working_on_it_still_see_everything(client, login, newsroom, live_with_draft):
    article, _ = live_with_draft
    for user in (newsroom.writer, newsroom.editor, newsroom.reviewer, newsroom.auditor):
        login(user)
        page = client.get(f"/articles/{article['id']}")
        assert page.status_code == 200 and DRAFT_TEXT in page.get_data(as_text=True), user.name
