"""The article pages: every workflow action a person can take in the browser."""
import re

from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.articles.models import Article, Revision
from tests.conftest import TEST_PASSWORD, press_confirm


def page(response) -> str:
    return response.get_data(as_text=True)


def signing_fields(newsroom, article_id, html: str | None = None) -> dict:
    """What the signing form sends besides the password: the revision and hash it showed (read from
    the page when given) and the declaration of no conflict."""
    if html is not None:
        number = re.search(r'name="revision" value="(\d+)"', html).group(1)
        digest = re.search(r'name="content_hash" value="([0-9a-f]{64})"', html).group(1)
        return {"revision": number, "content_hash": digest, "conflict_of_interest": "none"}
    current = newsroom.article(article_id)["current_revision"]
    return {"revision": current["number"], "content_hash": current["content_hash"], "conflict_of_interest": "none"}


def test_a_signing_form_left_open_while_the_text_changed_signs_nothing(client, login, newsroom, app):
    from editorial.reviews.models import Signature

    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    login(n.reviewer)
    opened = page(client.get(f"/articles/{aid}"))
    fields = signing_fields(n, aid, opened)
    assert fields["content_hash"] in opened  # the page shows the fingerprint it will bind

    n.act(aid, n.writer, "withdraw")
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": int(fields["revision"]), "note": "dose",
                                                  "body": "Take 500 mg four times a day [@tom2019]."})
    n.act(aid, n.writer, "submit")

    sent = client.post(f"/articles/{aid}/transition", data={"action": "approve", "password": TEST_PASSWORD, **fields})
    assert sent.status_code == 409
    assert "nothing was signed" in page(sent) and "500 mg four times a day" in page(sent)
    with app.app_context():
        assert db.session.scalar(select(func.count(Signature.id)).where(Signature.article_id == aid)) == 0


def test_writer_creates_a_draft_in_the_form(client, login, newsroom):
    login(newsroom.writer)
    response = client.post("/articles/new", data={"title": "Radiation during surgery", "summary": "Short", "topic": "Breast cancer",
                                                 "body": "## Heading\n\nText [@tom2019]."})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"])
    html = page(detail)
    assert "Radiation during surgery" in html and "badge-draft" in html
    assert "<h2>Heading</h2>" in html
    assert "Editor: assign reviewers" in html


def test_new_article_form_errors(client, login, newsroom, app):
    login(newsroom.writer)
    with app.app_context():
        before = db.session.scalar(select(func.count(Article.id)))
    response = client.post("/articles/new", data={"title": "", "body": "x"})
    assert response.status_code == 422 and "This field is required." in page(response)
    response = client.post("/articles/new", data={"title": "t" * 301, "body": "x"})
    assert response.status_code == 422 and "Field cannot be longer than 300 characters." in page(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == before


def test_reviewers_and_auditors_cannot_open_the_new_article_form(client, login, newsroom):
    for user in (newsroom.reviewer, newsroom.auditor):
        login(user)
        assert client.get("/articles/new").status_code == 403


def test_edit_form_saves_a_revision_and_shows_history_and_diff(client, login, newsroom):
    article = newsroom.create(body="The dose is ten.")
    login(newsroom.writer)
    form = page(client.get(f"/articles/{article['id']}/edit"))
    assert 'name="base_version" type="hidden" value="1"' in form
    saved = client.post(f"/articles/{article['id']}/edit", data={"title": article["title"], "body": "The dose is twenty.", "base_version": 1})
    assert saved.status_code == 302
    history = page(client.get(f"/articles/{article['id']}/history"))
    assert "Created" in history and ">2<" in history
    diff = page(client.get(f"/articles/{article['id']}/diff?from=1&to=2"))
    assert "The dose is <del>ten</del><ins>twenty</ins>." in diff


def test_a_diff_is_computed_once_per_pair_of_contents(client, login, newsroom, monkeypatch):
    """Revisions never change, so the word diff of two content hashes is cached (shared through
    Redis when REDIS_URL is set); a different pair of texts is never served from that entry."""
    from editorial.articles import diffing

    calls = []
    real = diffing.word_diff_html
    monkeypatch.setattr(diffing, "word_diff_html", lambda old, new: calls.append(1) or real(old, new))
    article = newsroom.create(body="Take the first dose at night.")
    newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {"base_version": 1, "body": "Take the first dose in the morning."})
    login(newsroom.writer)
    first = page(client.get(f"/articles/{article['id']}/diff?from=1&to=2"))
    again = page(client.get(f"/articles/{article['id']}/diff?from=1&to=2"))
    # The same page but for the CSRF token of the sign-out form, which is signed with the second it was made.
    token = re.compile(r'name="csrf_token" (type="hidden" )?value="[^"]+"')
    assert token.sub("", first) == token.sub("", again) and "<ins>" in first and "morning" in first
    assert len(calls) == 3  # title, summary and body, once
    reverse = page(client.get(f"/articles/{article['id']}/diff?from=2&to=1"))
    assert len(calls) == 6 and "<del>" in reverse and "morning" in reverse


def test_stale_edit_keeps_my_text_and_shows_what_changed(client, login, newsroom, app):
    article = newsroom.create(body="Original text.")
    newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.editor, {"base_version": 1, "body": "Editor's change."})
    login(newsroom.writer)
    response = client.post(f"/articles/{article['id']}/edit", data={"title": article["title"], "body": "My careful rewrite.", "base_version": 1})
    html = page(response)
    assert response.status_code == 409
    assert "Someone else saved first" in html
    assert "My careful rewrite." in html  # my text is not lost
    assert "change" in html and "<ins>" in html
    assert 'value="2"' in html  # saving again is based on the newest version
    with app.app_context():
        assert db.session.scalar(select(func.count(Revision.id)).where(Revision.article_id == article["id"])) == 2


def test_the_journey_in_the_pages(client, login, newsroom, app):
    n = newsroom
    article = n.create()
    aid = article["id"]
    login(n.writer)
    client.post(f"/articles/{aid}/citations", data={"citation_id": n.citation.id, "base_version": 1})

    login(n.editor)
    detail = page(client.get(f"/articles/{aid}"))
    assert "Radiation oncology" in detail and "open reviews" in detail  # the assignment form shows specialty and workload
    for reviewer in (n.reviewer, n.reviewer2):
        assert client.post(f"/articles/{aid}/reviewers", data={"user_id": reviewer.id, "due_date": "2099-05-01"}).status_code == 302

    login(n.writer)
    submitted = client.post(f"/articles/{aid}/transition", data={"action": "submit", "comment": "Please review"})
    assert submitted.status_code == 302

    login(n.reviewer)
    queue = page(client.get("/dashboard/reviewer"))
    assert article["title"] in queue
    review_page = page(client.get(f"/articles/{aid}"))
    assert "Approve and sign" in review_page and "Request changes" in review_page
    assert f'name="content_hash" value="{n.article(aid)["current_revision"]["content_hash"]}"' in review_page
    assert "I have no conflict of interest with this article." in review_page
    wrong = client.post(f"/articles/{aid}/transition", data={"action": "approve", "password": "wrong password",
                                                           **signing_fields(n, aid)})
    assert wrong.status_code == 403 and "password did not match" in page(wrong)
    sent_back = client.post(f"/articles/{aid}/transition", data={"action": "request_changes", "comment": "Explain margins."})
    assert sent_back.status_code == 302

    login(n.writer)
    desk = page(client.get("/dashboard/writer"))
    assert "Explain margins." in desk
    client.post(f"/articles/{aid}/edit", data={"title": article["title"], "body": "Margins explained [@tom2019].",
                                               "base_version": 2, "note": "Explained margins"})
    client.post(f"/articles/{aid}/transition", data={"action": "submit"})

    for reviewer in (n.reviewer, n.reviewer2):
        login(reviewer)
        signed = client.post(f"/articles/{aid}/transition", data={"action": "approve", "password": TEST_PASSWORD,
                                                                **signing_fields(n, aid)})
        assert signed.status_code == 302

    login(n.editor)
    detail = page(client.get(f"/articles/{aid}"))
    assert "badge-approved" in detail and "Dr. Rita Review, MD" in detail
    press_confirm(client, client.post(f"/articles/{aid}/transition", data={"action": "publish"}))
    assert "badge-published" in page(client.get(f"/articles/{aid}"))
    assert article["title"] in page(client.get("/dashboard/editor"))


def test_refused_action_in_the_page_shows_why_and_changes_nothing(client, login, newsroom, app):
    article = newsroom.create()
    login(newsroom.writer)
    response = client.post(f"/articles/{article['id']}/transition", data={"action": "submit"})
    assert response.status_code == 422
    assert "No physician reviewer is assigned yet: ask a senior editor" in page(response)
    with app.app_context():
        assert db.session.get(Article, article["id"]).state == "draft"


def test_other_writers_cannot_open_a_draft_by_guessing_its_id(client, login, newsroom):
    article = newsroom.create()
    login(newsroom.other_writer)
    for path in ("", "/edit", "/history", "/revisions/1"):
        assert client.get(f"/articles/{article['id']}{path}").status_code == 403, path
    assert client.get("/articles/987654").status_code == 404
    assert article["title"] not in page(client.get("/articles/"))


def test_reviewer_sees_what_changed_since_they_signed(client, login, newsroom):
    n = newsroom
    article = n.approved()
    aid = article["id"]
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": article["version"], "body": "New sentence [@tom2019].", "note": "Update"})
    n.act(aid, n.writer, "submit")
    login(n.reviewer)
    html = page(client.get(f"/articles/{aid}"))
    assert "What changed since you signed" in html and "<ins>" in html


def test_comments_with_quotes_and_resolving(client, login, newsroom):
    article = newsroom.ready_for_review()
    aid = article["id"]
    login(newsroom.reviewer)
    client.post(f"/articles/{aid}/comments", data={"quote": "Body text", "body": "Cite the trial here."})
    html = page(client.get(f"/articles/{aid}"))
    assert "<blockquote>Body text</blockquote>" in html and "Cite the trial here." in html
    empty = client.post(f"/articles/{aid}/comments", data={"body": ""})
    assert empty.status_code == 422
    login(newsroom.writer)
    comment_id = re.search(r"/comments/(\d+)/resolve", page(client.get(f"/articles/{aid}"))).group(1)
    client.post(f"/articles/{aid}/comments/{comment_id}/resolve")
    assert "comment-resolved" in page(client.get(f"/articles/{aid}"))


def test_restore_an_old_revision(client, login, newsroom):
    article = newsroom.create(body="First words.")
    newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {"base_version": 1, "body": "Second words."})
    login(newsroom.writer)
    response = client.post(f"/articles/{article['id']}/revisions/1/restore", data={"base_version": 2})
    assert response.status_code == 302
    current = newsroom.article(article["id"])
    assert current["version"] == 3 and current["body"] == "First words."


def test_list_pages_run_a_fixed_number_of_queries(client, login, newsroom, count_queries):
    login(newsroom.editor)
    for _ in range(3):
        newsroom.ready_for_review()
    with count_queries() as few:
        client.get("/articles/")
    with count_queries() as few_dash:
        client.get("/dashboard/editor")
    for _ in range(6):
        newsroom.ready_for_review()
    with count_queries() as many:
        client.get("/articles/")
    with count_queries() as many_dash:
        client.get("/dashboard/editor")
    # Pinned exactly (and so never growing with the rows): a new statement on a list page is a choice.
    assert few.count == many.count == 6
    assert few_dash.count == many_dash.count == 10
    login(newsroom.reviewer)
    with count_queries() as queue:
        client.get("/dashboard/reviewer")
    newsroom.ready_for_review()
    with count_queries() as queue_more:
        client.get("/dashboard/reviewer")
    assert queue.count == queue_more.count == 5


def test_history_is_paged_by_revision_number(client, login, newsroom, count_queries):
    article = newsroom.create(body="v1")
    for n in range(2, 56):
        newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {"base_version": n - 1, "body": f"v{n}"})
    login(newsroom.writer)
    with count_queries() as first_count:
        first = client.get(f"/articles/{article['id']}/history").get_data(as_text=True)
    assert "Page 1 of 2 (55 in all)" in first
    assert '/revisions/55"' in first and '/revisions/6"' in first and '/revisions/5"' not in first
    second = client.get(f"/articles/{article['id']}/history?page=2").get_data(as_text=True)
    assert '/revisions/5"' in second and '/revisions/1"' in second and '/revisions/6"' not in second
    newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {"base_version": 55, "body": "v56"})
    with count_queries() as later:
        client.get(f"/articles/{article['id']}/history")
    assert later.count == first_count.count


def test_counts_on_the_article_page_read_as_english(client, login, newsroom):
    n = newsroom
    n.assign(n.create(title="Elsewhere")["id"], n.reviewer)  # one open review for Dr. Review
    aid = n.create()["id"]
    login(n.editor)
    html = page(client.get(f"/articles/{aid}"))
    assert "History (1 revision)" in html and "1 revisions" not in html
    assert "(1 open review)" in html and "1 open reviews" not in html
    assert "(0 open reviews)" in html  # Dr. Second has none
