"""A reviewer selects a passage with the mouse, comments in the box beside it, and sees it highlighted."""
from __future__ import annotations

try:
    from playwright.sync_api import expect
except ImportError:  # the _chromium_available fixture skips these tests (or fails them in CI)
    expect = None

from tests.browser.conftest import page_of, shot

RIS = """TY  - JOUR
TI  - Skin reactions during breast radiotherapy: a cohort study
AU  - Okafor, Ada
JO  - Radiother Oncol
PY  - 2020
DO  - 10.1016/j.radonc.2020.01.001
ER  - 
"""
BODY = ("After surgery that keeps the breast, radiation lowers the chance that the cancer comes back [@okafor2020].\n\n"
        "Most people have treatment on weekdays for three to five weeks. Tiredness and **skin changes** are common.\n\n"
        + "\n\n".join(f"Paragraph {n} says what to expect in week {n} of treatment." for n in range(1, 12)) + "\n\n"
        "In the last week, most people feel tired; the skin changes heal a few weeks after treatment ends.")
PASSAGE = "the skin changes heal a few weeks"

# The start and end of a passage in the article body, in viewport coordinates.
PASSAGE_EDGES_JS = """(passage) => {
  const body = document.getElementById('article-body');
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(passage);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + passage.length - 1); range.setEnd(node, at + passage.length);
    const last = range.getBoundingClientRect();
    return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2};
  }
  return null;
}"""


def _seed(app, people) -> int:
    """An article in review with one reviewer, set up through the JSON API."""
    from editorial.core.extensions import db
    from editorial.accounts.models import User
    from editorial.accounts import service as user_service

    headers = {}
    with app.app_context():
        for key in ("writer", "editor"):
            _, raw = user_service.issue_token(None, db.session.get(User, people[key].id))
            headers[key] = {"Authorization": f"Bearer {raw}"}
        db.session.commit()
    client = app.test_client()

    def call(who, path, json):
        response = client.post(f"/api/v1{path}", headers=headers[who], json=json)
        assert response.status_code in (200, 201), (path, response.status_code, response.json)
        return response.json

    citation = call("writer", "/citations/import", {"format": "ris", "text": RIS})["created"][0]
    article = call("writer", "/articles", {"title": "Radiation therapy: what to expect", "topic": "Breast cancer",
                                          "body": BODY.replace("[@okafor2020]", f"[@{citation['key']}]")})
    call("writer", f"/articles/{article['id']}/citations", {"citation_id": citation["id"]})
    call("editor", f"/articles/{article['id']}/reviewers", {"user_id": people["reviewer"].id})
    call("writer", f"/articles/{article['id']}/transitions", {"action": "submit"})
    return article["id"]


def _select_with_the_mouse(page, passage: str) -> None:
    edges = page.evaluate(PASSAGE_EDGES_JS, passage)
    assert edges, f"{passage!r} is not in the article body"
    page.mouse.move(edges["x1"], edges["y1"])
    page.mouse.down()
    page.mouse.move((edges["x1"] + edges["x2"]) / 2, edges["y2"], steps=5)
    page.mouse.move(edges["x2"], edges["y2"], steps=5)
    page.mouse.up()


def test_select_a_passage_comment_beside_it_and_see_it_highlighted(isolated_app, people, live_server, new_context):
    article_id = _seed(isolated_app, people)
    page = page_of(new_context(people["reviewer"]))
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))  # CSP refusals too
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"/articles/{article_id}")

    passage = page.locator("#article-body p", has_text=PASSAGE)
    passage.scroll_into_view_if_needed()
    _select_with_the_mouse(page, PASSAGE)

    box = page.get_by_role("dialog", name="Comment on the selected passage")
    expect(box).to_be_visible()
    expect(page.locator("#quote")).to_have_value(PASSAGE)
    expect(page.locator("#quote_prefix")).to_have_value("In the last week, most people feel tired; "[-32:])
    expect(page.locator("#quote_suffix")).to_have_value(" after treatment ends.")
    expect(page.locator("#body")).to_be_focused()
    selection = passage.bounding_box()
    beside = box.bounding_box()
    assert abs(beside["y"] - selection["y"]) < 200, (beside, selection)  # next to the passage, not below the fold
    viewport = page.viewport_size
    assert 0 <= beside["y"] < viewport["height"] and beside["x"] + beside["width"] <= viewport["width"]
    shot(page, "comment-passage-box")

    # Cancel puts the form back where it was, empty.
    box.get_by_role("button", name="Cancel").click()
    expect(box).to_be_hidden()
    expect(page.locator("section", has=page.locator("#thread-title")).locator("#comment-form")).to_be_visible()
    expect(page.locator("#quote")).to_have_value("")

    _select_with_the_mouse(page, PASSAGE)
    expect(box).to_be_visible()
    page.locator("#body").fill("Say how many weeks: two to four?")
    box.get_by_role("button", name="Add comment").click()

    expect(page.locator(".flashes")).to_contain_text("Comment added.")
    mark = page.locator("#article-body mark.comment-mark")
    expect(mark).to_have_text(PASSAGE)
    comment = page.locator(".comment", has_text="Say how many weeks")
    expect(comment.get_by_role("link", name="Show the passage in the text")).to_be_visible()
    page.locator("#article-body a.comment-ref").click()
    expect(comment).to_be_in_viewport()
    assert page.url.endswith("#comment-" + comment.get_attribute("id").split("-")[1])
    shot(page, "comment-passage-highlighted")
    assert not problems, problems


def test_on_a_phone_the_box_opens_just_below_the_selection(isolated_app, people, live_server, new_context):
    article_id = _seed(isolated_app, people)
    page = page_of(new_context(people["reviewer"], width=390, height=800))
    page.goto(f"/articles/{article_id}")
    page.locator("#article-body p", has_text=PASSAGE).scroll_into_view_if_needed()
    _select_with_the_mouse(page, PASSAGE)
    box = page.get_by_role("dialog", name="Comment on the selected passage")
    expect(box).to_be_visible()
    expect(box).to_be_in_viewport()
    expect(page.locator("#body")).to_be_focused()
    beside = box.bounding_box()
    assert beside["x"] >= 0 and beside["x"] + beside["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    shot(page, "comment-passage-box-390")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
