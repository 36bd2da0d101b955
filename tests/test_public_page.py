"""The public site: /health/<slug> (and the 301s from the old /articles/<slug>), the topic index,
feedback and GET /api/v1/published/{slug}."""
import json
import os
import re
import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from editorial import create_app
from editorial.public import feedback
from editorial.public import page as public_page
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.public.models import ArticleFeedback
from tests.conftest import shared_path


@pytest.fixture(autouse=True)
def _fresh_vote_limiter(app):
    feedback.vote_limiter(app).reset()
    yield
    feedback.vote_limiter(app).reset()


def publish(newsroom, *, title, body="Body text [@tom2019].", summary="", topic="", citation_ids=None, reviewers=None):
    """The whole journey for an article with chosen content: write, cite, assign, submit, sign, publish."""
    article = newsroom.create(title=title, body=body, summary=summary, topic=topic)
    for citation_id in citation_ids or [newsroom.citation.id]:
        newsroom.attach(article["id"], citation_id)
    reviewers = reviewers or [newsroom.reviewer, newsroom.reviewer2]
    for reviewer in reviewers:
        assert newsroom.assign(article["id"], reviewer).status_code == 201
    response = newsroom.act(article["id"], newsroom.writer, "submit")
    assert response.status_code == 200, response.json
    for reviewer in reviewers:
        response = newsroom.sign(article["id"], reviewer)
        assert response.status_code == 200, response.json
    response = newsroom.act(article["id"], newsroom.editor, "publish")
    assert response.status_code == 200, response.json
    return response.json


def add_reviewer(newsroom, make_user, token_for, **profile):
    reviewer = make_user("reviewer", **profile)
    newsroom.headers[reviewer.id] = token_for(reviewer)
    return reviewer


def json_ld_of(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def text_of(fragment: str) -> str:
    inline_free = re.sub(r"</?(?:bdi|span|time|em|a|strong|code)\b[^>]*>", "", fragment)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline_free)).strip()


# --- The page --------------------------------------------------------------------------

def test_published_article_shows_the_live_revision_and_its_review_record(newsroom, client, make_user, token_for):
    conflicted = add_reviewer(
        newsroom, make_user, token_for, name="Dr. Clara Conflict", credentials="DO", specialty="Medical oncology",
        affiliation="Lakeside Cancer Centre", disclosure="Speaker fees from Example Pharma (2024)",
    )
    first = newsroom.make_citation(key="alpha", formatted_html="Alpha A. <em>Listed first</em>. J Test. 2020.")
    second = newsroom.make_citation(key="beta")
    uncited = newsroom.make_citation(key="gamma")
    body = "Cited first here [@beta]. Then [@alpha], and again [@beta; @alpha].\n\n## What to ask\n\n- One\n- Two"
    article = publish(
        newsroom, title="Breast radiation after surgery", summary="What to expect from radiation treatment.",
        topic="Breast cancer", body=body, citation_ids=[first.id, second.id, uncited.id],
        reviewers=[newsroom.reviewer, conflicted],
    )

    response = client.get(f"/health/{article['slug']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1" in html and "Breast radiation after surgery" in html
    assert "What to expect from radiation treatment." in html
    assert "<h2>What to ask</h2>" in html  # Markdown rendered
    assert re.search(r"Written by\s*<bdi>Wanda Writer</bdi>", html)

    review = html[html.index('id="medical-review"'):html.index('aria-labelledby="references-heading"')]
    assert "Medically reviewed by" in review
    reviewers = re.findall(r'<li class="reviewer">(.*?)</li>', review, re.S)
    assert len(reviewers) == 2
    rita, clara = (text_of(r) for r in reviewers)
    assert "Dr. Rita Review, MD" in rita and "Radiation oncology" in rita and "City Hospital" in rita
    assert "Conflicts of interest: None declared" in rita
    assert "Dr. Clara Conflict, DO" in clara and "Medical oncology" in clara and "Lakeside Cancer Centre" in clara
    assert "Conflicts of interest: Speaker fees from Example Pharma (2024)" in clara
    with newsroom.client.application.app_context():
        from editorial.reviews.models import Signature
        signed = {s.printed_name: s.signed_at for s in db.session.scalars(select(Signature))}
    for name, line in (("Dr. Rita Review", rita), ("Dr. Clara Conflict", clara)):
        assert f"Approved on {signed[name].strftime('%d %B %Y')}" in line
        assert f'datetime="{signed[name].strftime("%Y-%m-%d")}"' in review

    # References in order of first inline use, then the uncited rest; superscripts match.
    refs = re.findall(r'<li id="ref-(\d+)" value="(\d+)">(.*?)</li>', html, re.S)
    assert [(n, v) for n, v, _ in refs] == [("1", "1"), ("2", "2"), ("3", "3")]
    assert "A study" in refs[0][2] and second.formatted in text_of(refs[0][2])
    assert "<em>Listed first</em>" in refs[1][2]
    assert uncited.formatted in text_of(refs[2][2]) and "backref" not in refs[2][2]
    sups = re.findall(r'<a href="#ref-(\d+)" id="cite-(\d+)-(\d+)">(\d+)</a>', html)
    assert [s[3] for s in sups] == ["1", "2", "1", "2"]
    assert all(href == anchor == label for href, anchor, _, label in sups)
    assert '<a class="backref" href="#cite-1-1"' in html

    # Dates, the notice, the feedback control.
    day = newsroom.article(article["id"])["live_revision"]["published_at"][:10]
    assert re.search(rf'<dt>Published</dt><dd><time datetime="{day}">', html)
    assert re.search(rf'<dt>Last reviewed</dt><dd><time datetime="{day}">', html)
    assert "does not replace advice from your own doctor" in html
    assert "Was this helpful?" in html and 'name="helpful" value="yes"' in html and 'name="helpful" value="no"' in html
    assert 'name="csrf_token"' in html

    data = json_ld_of(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == day
    assert [p["name"] for p in data["reviewedBy"]] == ["Dr. Rita Review", "Dr. Clara Conflict"]
    assert data["reviewedBy"][1]["affiliation"]["name"] == "Lakeside Cancer Centre"
    assert data["name"] == "Breast radiation after surgery"
    assert data["url"].endswith(f"/health/{article['slug']}")


def test_demo_like_journey_is_readable_without_signing_in(newsroom, app):
    article = newsroom.published()
    reader = app.test_client()
    html = reader.get(f"/health/{article['slug']}").get_data(as_text=True)
    assert "Intraoperative radiation therapy" in html and "Body text" in html
    assert "Dr. Rita Review" in html and "Dr. Sam Second" in html and "MD, PhD" in html
    assert html.count("None declared") == 2


def test_the_page_runs_a_fixed_small_number_of_queries(newsroom, client, make_user, token_for, count_queries):
    small = publish(newsroom, title="Small article")
    third = add_reviewer(newsroom, make_user, token_for, name="Dr. Third", credentials="MD", disclosure="None")
    keys = [newsroom.make_citation(key=f"many{i}") for i in range(5)]
    big = publish(
        newsroom, title="Big article", body=" ".join(f"Point [@many{i}]." for i in range(5)),
        citation_ids=[c.id for c in keys], reviewers=[newsroom.reviewer, newsroom.reviewer2, third],
    )
    counts = []
    for article in (small, big):
        with count_queries() as counter:
            assert client.get(f"/health/{article['slug']}").status_code == 200
        counts.append(counter.count)
    # 4 queries (article + live revision + author; its publication record with its signed
    # checkpoint; the signatures it names; citations), plus the test's savepoint pair.
    assert counts[0] == counts[1] == 6, counts
    with count_queries() as counter:
        assert client.get("/health-topics").status_code == 200
    assert counter.count == 3, counter.statements  # the live articles' titles and topics, plus the savepoint pair


# --- What is not live ------------------------------------------------------------------

def test_drafts_and_unknown_slugs_are_not_found(newsroom, client):
    draft = newsroom.create(title="Still a draft")
    approved = newsroom.approved()
    for slug in (draft["slug"], approved["slug"], "no-such-article"):
        response = client.get(f"/health/{slug}")
        assert response.status_code == 404
        assert "Still a draft" not in response.get_data(as_text=True)
        api = client.get(f"/api/v1/published/{slug}")
        assert api.status_code == 404
        assert api.json["error"]["code"] == "not_found" and api.json["error"]["message"]
    assert client.post(f"/health/{draft['slug']}/feedback", data={"helpful": "yes"}).status_code == 404


def test_archived_articles_are_not_found(newsroom, client):
    article = newsroom.published()
    assert client.get(f"/health/{article['slug']}").status_code == 200
    assert newsroom.act(article["id"], newsroom.editor, "unpublish").status_code == 200
    assert client.get(f"/health/{article['slug']}").status_code == 404
    assert client.get(f"/api/v1/published/{article['slug']}").status_code == 404
    assert client.get(f"/articles/{article['slug']}").status_code == 404  # not a 301 to a 404
    assert article["slug"] not in client.get("/health-topics").get_data(as_text=True)


def test_a_new_working_draft_does_not_change_what_readers_see(newsroom, client):
    article = newsroom.published()
    response = newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {
        "base_version": article["version"], "title": "Renamed working title",
        "body": "Unreviewed new text [@tom2019].", "note": "Rewrite in progress",
    })
    assert response.status_code == 200, response.json
    html = client.get(f"/health/{article['slug']}").get_data(as_text=True)
    assert "Body text" in html and "Intraoperative radiation therapy" in html
    assert "Unreviewed new text" not in html and "Renamed working title" not in html
    api = client.get(f"/api/v1/published/{article['slug']}").json
    assert api["revision_number"] == article["version"] and "Unreviewed" not in api["body_html"]
    index = client.get("/health-topics").get_data(as_text=True)
    assert "Intraoperative radiation therapy" in index and "Renamed working title" not in index


# --- Addresses -------------------------------------------------------------------------

def test_a_miscased_slug_redirects_permanently(newsroom, client):
    article = newsroom.published()
    # Slugs are lowercase; a miscased address redirects to the page.
    response = client.get(f"/health/{article['slug'].upper()}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/health/{article['slug']}")
    api = client.get(f"/api/v1/published/{article['slug'].upper()}")
    assert api.status_code == 301 and api.headers["Location"].endswith(f"/api/v1/published/{article['slug']}")


def test_readers_pages_live_under_health_and_the_old_addresses_move_there(newsroom, app, login):
    # Slugs made from titles are never all digits or "new", so the old public address
    # /articles/<slug> of every published slug is free to answer 301 with the new one.
    numeric = publish(newsroom, title="2024")
    assert numeric["slug"] == "article-2024"
    new = publish(newsroom, title="New")
    assert new["slug"] == "article-new"
    reader = app.test_client()
    for article in (numeric, new):
        response = reader.get(f"/health/{article['slug']}")
        assert response.status_code == 200
        assert "Medically reviewed by" in response.get_data(as_text=True)
        assert reader.get(f"/api/v1/published/{article['slug']}").json["title"] == article["title"]
        moved = reader.get(f"/articles/{article['slug']}")
        assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/health/{article['slug']}")
    miscased = reader.get("/articles/Article-2024")
    assert miscased.status_code == 301 and miscased.headers["Location"].endswith("/health/article-2024")
    assert reader.post("/health/article-2024/feedback", data={"helpful": "yes"}).status_code == 303
    # Signed-in staff keep their desk pages, and follow old public links like anyone.
    staff = login(newsroom.editor, app.test_client())
    staff_page = staff.get("/articles/new")
    assert staff_page.status_code == 200 and "Medically reviewed by" not in staff_page.get_data(as_text=True)
    assert staff.get(f"/articles/{numeric['id']}").status_code == 200
    assert "Medically reviewed by" in staff.get("/articles/article-2024", follow_redirects=True).get_data(as_text=True)


def test_desk_addresses_send_anonymous_visitors_to_sign_in_whatever_the_slugs(newsroom, app):
    # The readers' space has no desk address in it: a slug of digits or "new" (set in the
    # database here, as an imported row might be) is a page like any other at /health/, and
    # /articles/<digits> and /articles/new stay the desk's, never a public page.
    digits, new = publish(newsroom, title="Digits"), publish(newsroom, title="Newcomers")
    with app.app_context():
        for article, slug in ((digits, str(digits["id"])), (new, "new")):
            db.session.get(Article, article["id"]).slug = slug
        db.session.commit()
    reader = app.test_client()
    for slug in (str(digits["id"]), "new"):
        response = reader.get(f"/health/{slug}")
        assert response.status_code == 200 and "Medically reviewed by" in response.get_data(as_text=True)
        desk = reader.get(f"/articles/{slug}")
        assert desk.status_code == 302 and "/sign-in" in desk.headers["Location"], slug
    draft = newsroom.create(title="Desk only")
    desk = reader.get(f"/articles/{draft['id']}")
    assert desk.status_code == 302 and "/sign-in" in desk.headers["Location"]


def test_no_app_wide_hook_answers_for_the_public_site(app):
    hooks = [hook for hooks in app.before_request_funcs.values() for hook in hooks]
    assert [hook.__name__ for hook in hooks if hook.__module__ == "editorial.public.views"] == []


# --- The API ---------------------------------------------------------------------------

def test_published_api_answers_without_a_token(newsroom, client):
    article = newsroom.published()
    response = client.get(f"/api/v1/published/{article['slug']}")
    assert response.status_code == 200
    body = response.json
    assert {"title", "summary", "body_html", "byline", "reviewed_by", "references", "published_at",
            "last_reviewed_at", "revision_number", "content_hash"} <= set(body)
    assert body["title"] == "Intraoperative radiation therapy"
    assert body["byline"] == "Wanda Writer"
    assert body["body_html"].startswith("<p>Body text <sup class=\"cite\">")
    assert body["references"] == [newsroom.citation.formatted]
    assert body["revision_number"] == article["live_revision"]["number"]
    assert body["content_hash"] == article["live_revision"]["content_hash"]
    assert body["published_at"] == article["live_revision"]["published_at"] and body["published_at"].endswith("Z")
    assert body["last_reviewed_at"] == article["last_reviewed_at"]
    assert [r["name"] for r in body["reviewed_by"]] == ["Dr. Rita Review", "Dr. Sam Second"]
    first = body["reviewed_by"][0]
    assert {k: first[k] for k in ("credentials", "specialty", "affiliation")} == {
        "credentials": "MD", "specialty": "Radiation oncology", "affiliation": "City Hospital"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["approved_at"])


# --- Feedback --------------------------------------------------------------------------

def _feedback_rows(app, article_id):
    with app.app_context():
        return db.session.scalars(select(ArticleFeedback).where(ArticleFeedback.article_id == article_id)).all()


def test_feedback_is_recorded_once_per_browser(newsroom, app):
    article = newsroom.published()
    reader = app.test_client()
    address = f"/health/{article['slug']}"
    response = reader.post(f"{address}/feedback", data={"helpful": "yes"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{address}#feedback")
    rows = _feedback_rows(app, article["id"])
    assert [(r.helpful, r.revision_number) for r in rows] == [(True, article["version"])]
    assert set(ArticleFeedback.__table__.columns.keys()) == {"id", "article_id", "revision_number", "helpful", "created_at"}

    page = reader.get(address).get_data(as_text=True)
    assert "Thank you" in page and 'name="helpful"' not in page
    again = reader.post(f"{address}/feedback", data={"helpful": "no"}, follow_redirects=True)
    assert again.status_code == 200 and "already" in again.get_data(as_text=True)
    assert len(_feedback_rows(app, article["id"])) == 1

    other_browser = app.test_client()
    assert other_browser.post(f"{address}/feedback", data={"helpful": "no"}).status_code == 303
    assert sorted(r.helpful for r in _feedback_rows(app, article["id"])) == [False, True]
    assert reader.post(f"{address}/feedback", data={"helpful": "maybe"}).status_code == 400


def test_feedback_is_capped_per_network_without_keeping_addresses(newsroom, app, monkeypatch):
    article = newsroom.published()
    limiter = feedback.vote_limiter(app)
    monkeypatch.setattr(limiter, "per_article_per_day", 2)
    address = f"/health/{article['slug']}/feedback"
    statuses = [app.test_client().post(address, data={"helpful": "yes"}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert len(_feedback_rows(app, article["id"])) == 2
    # Another network still counts; no address is kept, only keyed hashes with an in-memory salt.
    other = app.test_client().post(address, data={"helpful": "yes"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 303
    assert all("127.0.0.1" not in bucket and "203.0.113.9" not in bucket for bucket, _ in limiter._counts)


def test_feedback_needs_the_csrf_token(newsroom, app, monkeypatch):
    article = newsroom.published()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    reader = app.test_client()
    address = f"/health/{article['slug']}"
    assert reader.post(f"{address}/feedback", data={"helpful": "yes"}).status_code == 400
    html = reader.get(address).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert reader.post(f"{address}/feedback", data={"helpful": "yes", "csrf_token": token}).status_code == 303
    assert len(_feedback_rows(app, article["id"])) == 1


# --- The index -------------------------------------------------------------------------

def test_index_lists_published_articles_by_topic(newsroom, app, client, login):
    publish(newsroom, title="Heart failure basics", topic="Heart health", summary="Living well with heart failure.")
    publish(newsroom, title="Breast cancer screening", topic="Breast cancer")
    publish(newsroom, title="Radiation side effects", topic="Breast cancer")
    newsroom.create(title="Unpublished draft", topic="Heart health")
    for address in ("/health-topics", "/"):
        response = client.get(address)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        headings = re.findall(r'<h2 id="topic-\d+">([^<]+)</h2>', html)
        assert headings == ["Breast cancer", "Heart health"]
        breast = html[html.index(">Breast cancer</h2>"):html.index(">Heart health</h2>")]
        assert "Breast cancer screening" in breast and "Radiation side effects" in breast
        assert 'href="/health/heart-failure-basics"' in html and "Living well with heart failure." in html
        assert "Unpublished draft" not in html
    staff = login(newsroom.editor, app.test_client())
    assert staff.get("/").status_code == 302  # staff land on their desk
    assert "Your desk" in staff.get("/health-topics").get_data(as_text=True)


# --- Hostile input ---------------------------------------------------------------------

_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_ALLOWED_META = {"charset", "name", "content", "viewport"}


class _ExecutableFinder(HTMLParser):
    """Collects anything in a page that a browser could execute or that could load content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.json_blocks: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("type") != "application/ld+json" or "src" in attributes:
                self.problems.append(f"script {attrs}")
            self._in_json = True
        elif tag in {"iframe", "object", "embed", "svg", "math", "img", "base", "style", "frame", "applet", "video",
                     "audio", "source", "template", "input"} - ({"input"} if attributes.get("type") == "hidden" else set()):
            self.problems.append(f"<{tag}>")
        elif tag == "meta" and ("http-equiv" in attributes or set(attributes) - _ALLOWED_META):
            self.problems.append(f"meta {attrs}")
        elif tag == "link" and attributes.get("rel") not in ("stylesheet", "canonical") and not (
                attributes.get("rel") == "icon" and attributes.get("href") == "/static/img/favicon.svg"):
            self.problems.append(f"link {attrs}")
        elif tag == "form" and not (attributes.get("action") or "").startswith("/health/"):
            self.problems.append(f"form {attrs}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{tag} {name}={value!r}")
            if name in ("href", "src", "action", "xlink:href") and value:
                compact = re.sub(r"[\x00-\x20]+", "", value).lower()
                if compact.startswith(_BAD_SCHEMES):
                    self.problems.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks.append(data)


def assert_safe_page(html: str) -> None:
    finder = _ExecutableFinder()
    finder.feed(html)
    finder.close()
    assert finder.problems == []
    assert html.lower().count("<script") == html.lower().count("</script") == 1
    assert len(finder.json_blocks) == 1
    block = finder.json_blocks[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["@type"] == "MedicalWebPage"


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "'\"><iframe src=javascript:alert(1)>",
    "javascript:alert(1)",
]
RTL_AND_FRIENDS = "\u202egnp.exe\u202c \u200f\u2066x\u2069 🩺💊👩🏽‍⚕️ \u2028\u2029"


def test_hostile_content_is_shown_as_text_everywhere(newsroom, app, make_user, token_for):
    hostile_reviewer = add_reviewer(
        newsroom, make_user, token_for, name="</script><script>alert(1)</script>", credentials='MD"><svg onload=alert(1)>',
        specialty="<img src=x onerror=alert(1)>", affiliation="\u202eCity & <b>Hospital</b>",
        disclosure="<script>alert('coi')</script>",
    )
    nasty_citation = newsroom.make_citation(
        key="nasty", formatted_html='<img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a><em>ok</em>'
                                   '<script>alert(1)</script>',
    )
    control = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) + "\x7f"
    body = "\n\n".join([
        *XSS,
        "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](data:text/html;base64,PHNjcmlwdD4=)",
        "[w](vbscript:msgbox(1)) <a href=\"javascript:alert(1)\">raw</a> ![i](javascript:alert(1))",
        "[@nasty] [@tom2019] " + RTL_AND_FRIENDS,
        "control: " + control,
        "x" * 100_000,
    ])
    article = publish(
        newsroom, title="<script>alert(1)</script> \"><svg onload=alert(1)> " + RTL_AND_FRIENDS.strip(),
        summary=" ".join(XSS) + control + RTL_AND_FRIENDS, topic="<img src=x onerror=alert(1)>",
        body=body, citation_ids=[nasty_citation.id, newsroom.citation.id],
        reviewers=[newsroom.reviewer, hostile_reviewer],
    )
    reader = app.test_client()
    response = reader.get(f"/health/{article['slug']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_safe_page(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "x" * 100_000 in html and "🩺" in html
    assert not re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", html)
    data = json_ld_of(html)
    assert data["reviewedBy"][1]["name"] == "</script><script>alert(1)</script>"
    assert data["name"].startswith("<script>alert(1)</script>")
    assert "<em>ok</em>" in html

    api = reader.get(f"/api/v1/published/{article['slug']}")
    assert api.status_code == 200
    body_finder = _ExecutableFinder()
    body_finder.feed(api.json["body_html"])
    assert body_finder.problems == []
    index = reader.get("/health-topics")
    assert index.status_code == 200
    finder = _ExecutableFinder()
    finder.feed(index.get_data(as_text=True))
    assert finder.problems == []


def test_the_json_ld_encoder_cannot_close_its_element():
    encoded = public_page.json_for_html({"a": "</script><!-- & \u2028"})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded and "\u2028" not in encoded
    assert json.loads(str(encoded)) == {"a": "</script><!-- & \u2028"}


def test_naughty_strings_render_safely(newsroom, app):
    path = shared_path("samples", "naughty", "blns.txt")
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
             if line.strip() and not line.startswith("#") and "\x00" not in line]
    assert lines
    articles = [publish(newsroom, title="Naughty strings", summary="\n".join(lines)[:2000],
                        body="\n\n".join(lines)[:200_000] + "\n\n[@tom2019]")]
    step = max(1, len(lines) // 8)
    for line in lines[::step][:8]:  # a sample as titles and topics, where the title rules allow them
        response = newsroom.call("POST", "/articles", newsroom.writer,
                                 {"title": line[:300], "body": line + " [@tom2019]", "summary": line, "topic": line[:120]})
        if response.status_code == 422:
            continue
        assert response.status_code == 201, response.json
        articles.append(_publish_existing(newsroom, response.json))
    reader = app.test_client()
    for article in articles:
        response = reader.get(f"/health/{article['slug']}")
        assert response.status_code == 200, article["slug"]
        assert_safe_page(response.get_data(as_text=True))
        assert reader.get(f"/api/v1/published/{article['slug']}").status_code == 200
    index = reader.get("/health-topics")
    assert index.status_code == 200
    finder = _ExecutableFinder()
    finder.feed(index.get_data(as_text=True))
    assert finder.problems == []


def _publish_existing(newsroom, article):
    newsroom.attach(article["id"])
    for reviewer in (newsroom.reviewer, newsroom.reviewer2):
        assert newsroom.assign(article["id"], reviewer).status_code == 201
    assert newsroom.act(article["id"], newsroom.writer, "submit").status_code == 200
    for reviewer in (newsroom.reviewer, newsroom.reviewer2):
        assert newsroom.sign(article["id"], reviewer).status_code == 200
    response = newsroom.act(article["id"], newsroom.editor, "publish")
    assert response.status_code == 200, response.json
    return response.json


def test_feedback_table_keeps_no_personal_data(app):
    columns = set(ArticleFeedback.__table__.columns.keys())
    assert not columns & {"ip", "ip_address", "user_agent", "user_id", "session", "email"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ArticleFeedback)) == 0


@pytest.mark.parametrize("slug", ["a%00b", "a%01b", "x" * 300, "%E2%80%AE", "..", "a%2Fb"])
def test_odd_slugs_are_404_not_500(client, slug):
    assert client.get(f"/health/{slug}").status_code == 404
    assert client.get(f"/articles/{slug}").status_code == 404
    assert client.get(f"/api/v1/published/{slug}").status_code == 404
    assert client.post(f"/health/{slug}/feedback", data={"helpful": "yes"}).status_code == 404


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis server at TEST_REDIS_URL (default redis://127.0.0.1:6379/15)")
    return client


def test_with_redis_the_feedback_cap_is_shared_by_every_server(newsroom, app):
    """Two servers (two limiters, as two processes would have) count one network's votes together,
    and Redis holds only keyed hashes, never the address."""
    client = _redis_or_skip()
    article = newsroom.published()
    prefix = f"vetted-test:{uuid.uuid4().hex}:"
    servers = [feedback.SharedVoteLimiter(client, 3, prefix=prefix) for _ in range(2)]
    try:
        allowed = [servers[i % 2].allow("198.51.100.7", article["id"]) for i in range(5)]
        assert allowed == [True, True, True, False, False]
        assert servers[1].allow("203.0.113.9", article["id"])  # another network still counts
        keys = [k.decode() for k in client.scan_iter(match=prefix + "*")]
        assert keys and all("198.51.100.7" not in k and "203.0.113.9" not in k for k in keys)
        assert all(0 < client.ttl(k) <= 86_400 + 60 for k in keys)  # gone when the day is over
    finally:
        servers[0].reset()
    assert not list(client.scan_iter(match=prefix + "*"))
    # An app with REDIS_URL set picks the shared limiter (and the shared cache).
    redis_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test",
                            "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")})
    assert isinstance(feedback.vote_limiter(redis_app), feedback.SharedVoteLimiter)
    assert redis_app.config["CACHE_TYPE"] == "RedisCache"


def test_the_page_says_in_plain_words_how_it_was_reviewed(newsroom, client):
    article = publish(newsroom, title="Fatigue during radiation")
    html = client.get(f"/health/{article['slug']}").get_data(as_text=True)
    live = newsroom.article(article["id"])["live_revision"]
    assert "content fingerprint" not in html  # the old jargon line
    assert '<a href="#how-reviewed">How this page was reviewed</a>' in html  # from the credit line
    section = html[html.index('id="how-reviewed"'):html.index('id="feedback"')]
    words = text_of(section)
    assert "How this page was reviewed" in words
    assert "Dr. Rita Review" in words and "Dr. Sam Second" in words and "signed their approval" in words
    assert f"version {live['number']}" in words
    assert "lets anyone check that the text on this page is exactly the text the reviewers signed" in words
    assert live["content_hash"] in section  # the whole fingerprint, explained, not a 12-character stub
    assert f'href="/api/v1/published/{article["slug"]}"' in section
