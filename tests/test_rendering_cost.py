"""Rendering a body at the size limit is bounded: what a revision renders to is cached (it never
changes), a request parses a body once, and a body whose structure would take long to render is
refused where it is saved, with a message (timings themselves are bench/render.py's, not a test's)."""
from editorial.articles import rendering
from editorial.core.extensions import cache
from editorial.articles.rendering import MAX_RENDER_COST, plain_text, render_body, render_cost

HUGE_TABLE = "| a | b |\n|---|---|\n" + "|1|2|\n" * 30_000  # 180,000 characters, 60,000 cells


def test_a_rendering_is_cached_under_its_text_and_its_numbering(app, monkeypatch):
    body = "A cached body [@a] and [@b]."
    with app.test_request_context():
        first = render_body(body, {"a": 1, "b": 2})
    parses = []
    original = rendering._md.parse
    monkeypatch.setattr(rendering._md, "parse", lambda *a, **k: parses.append(1) or original(*a, **k))
    with app.test_request_context():
        again = render_body(body, {"a": 1, "b": 2})
        renumbered = render_body(body, {"a": 2, "b": 1})
    assert again == first and parses == [1]  # only the new numbering was parsed
    assert '<a href="#ref-2" id="cite-2-1">2</a>' in renumbered.html.split("and")[0]
    assert renumbered.html != first.html
    # Another text is another entry, even when only a character differs.
    with app.test_request_context():
        assert render_body(body + " ", {"a": 1, "b": 2}).html == first.html
        assert render_body(body.replace("cached", "other"), {"a": 1, "b": 2}).html != first.html


def test_a_request_parses_a_body_once_for_its_html_its_text_and_its_keys(app, monkeypatch):
    cache.clear()
    body = "Once [@a].\n\n| x | y |\n|---|---|\n| 1 | 2 |\n"
    parses = []
    original = rendering._md.parse
    monkeypatch.setattr(rendering._md, "parse", lambda *a, **k: parses.append(1) or original(*a, **k))
    with app.test_request_context():
        render_body(body, {"a": 1})
        plain_text(body)
        rendering.inline_citation_keys(body)
    assert parses == [1]


def test_outside_an_app_rendering_works_uncached():
    assert render_body("*Hi* [@a]").html == '<p><em>Hi</em> <sup class="cite"><a href="#ref-1" id="cite-1-1">1</a></sup></p>\n'


def test_the_cost_estimate_follows_structure_not_length():
    prose = ("A sentence about dosing with *some* emphasis and a citation [@a]. " * 3000)[:200_000]
    assert render_cost(prose) < MAX_RENDER_COST
    assert render_cost(HUGE_TABLE) > MAX_RENDER_COST
    assert render_cost("- a\n" * 20_000) > MAX_RENDER_COST
    assert render_cost("[" * 100_000) > MAX_RENDER_COST
    assert render_cost("| a | b |\n|---|---|\n" + "|1|2|\n" * 100) < 2_000


# Shapes the audit found accepted at saving but slow to render (1.3-4 s cold): each weighs what it costs.
SLOW_SHAPES = {
    "nested list markers": "- - - - - - - - a\n" * 6_600,  # eight lists a line, not one
    "unclosed brackets": "[a " * 40_000,  # each "[" is tried as a link label
    "autolinks": "<http://a.b> " * 15_000,  # each is a link
    "strikethrough": "~~a~~ " * 33_000,  # "~" is markup too
}


def test_the_cost_estimate_weighs_nested_markers_brackets_autolinks_and_strikethrough():
    for name, body in SLOW_SHAPES.items():
        assert len(body) <= 200_000, name
        assert render_cost(body) > MAX_RENDER_COST, name
    # ...while what writers write stays far below the limit
    assert render_cost("- Dose\n  - Adults: 5 mg\n  - Children: 2 mg\n" * 500) < MAX_RENDER_COST / 2
    assert render_cost("See <https://www.cancer.gov> and [the trial](https://example.org) [@a]. " * 1_000) < MAX_RENDER_COST


def test_the_preview_refuses_what_saving_refuses(newsroom, client, login):
    article = newsroom.create()
    login(newsroom.writer)
    for name, body in SLOW_SHAPES.items():
        response = client.post(f"/articles/{article['id']}/preview", json={"body": body})
        assert response.status_code == 422, name
        assert "too many parts" in response.get_json()["fields"]["body"], name


def test_saving_a_body_too_complex_to_render_is_refused_with_a_message(newsroom):
    response = newsroom.call("POST", "/articles", newsroom.writer, {"title": "Huge table", "body": HUGE_TABLE})
    assert response.status_code == 422
    assert "too many parts" in response.json["error"]["fields"]["body"]
    article = newsroom.create()
    edit = newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer,
                         {"base_version": article["version"], "body": "- item\n" * 20_000})
    assert edit.status_code == 422 and "Split a long table" in edit.json["error"]["fields"]["body"]
    assert newsroom.article(article["id"])["version"] == article["version"]


def test_the_desk_and_public_pages_show_a_large_table_that_is_allowed(newsroom, client, login, app):
    body = "Doses [@tom2019]:\n\n| Drug | Dose |\n|---|---|\n" + "".join(f"| drug {n} | {n} mg |\n" for n in range(2000))
    assert render_cost(body) <= MAX_RENDER_COST
    article = newsroom.create(body=body)
    login(newsroom.editor)
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert "<td>drug 1999</td>" in page and page.count("<tr>") >= 2000
