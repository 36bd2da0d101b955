"""Comments on a passage: highlighted in the text, carried to later revisions, "passage changed" when it is gone."""
import re

from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.reviews.models import Comment

BODY = ("Radiation lowers the chance that the cancer comes back [@tom2019].\n\n"
        "Most people have treatment on weekdays for three to five weeks.")
PASSAGE = {"quote": "the chance that the cancer comes back", "quote_prefix": "Radiation lowers ",
           "quote_suffix": " 1 Most people have treatmen"}


def page(response) -> str:
    return response.get_data(as_text=True)


def in_review(newsroom) -> int:
    article = newsroom.create(body=BODY)
    aid = article["id"]
    newsroom.attach(aid)
    assert newsroom.assign(aid, newsroom.reviewer).status_code == 201
    assert newsroom.act(aid, newsroom.writer, "submit").status_code == 200
    return aid


def comment_on_passage(client, aid, **fields) -> int:
    response = client.post(f"/articles/{aid}/comments", data={**PASSAGE, "body": "Say how much lower.", **fields})
    assert response.status_code == 302, page(response)
    return db.session.scalar(select(func.max(Comment.id)).where(Comment.article_id == aid))


def edit(newsroom, aid, body):
    version = newsroom.article(aid)["version"]
    response = newsroom.call("PATCH", f"/articles/{aid}", newsroom.writer, {"base_version": version, "body": body,
                                                                     "note": "As the reviewer asked"})
    assert response.status_code == 200, response.json
    return response.json["version"]


def test_a_reviewers_comment_is_highlighted_on_its_passage_and_carried_to_later_revisions(client, login, newsroom, app):
    n = newsroom
    aid = in_review(n)
    login(n.reviewer)
    with app.app_context():
        cid = comment_on_passage(client, aid)
        stored = db.session.get(Comment, cid)
        assert (stored.quote, stored.quote_prefix, stored.quote_suffix) == (
            PASSAGE["quote"], "Radiation lowers", "1 Most people have treatmen")
        written_on = stored.revision_number

    html = page(client.get(f"/articles/{aid}"))
    assert f'<mark class="comment-mark" id="passage-{cid}" data-comment="{cid}">the chance that the cancer comes back</mark>' in html
    assert f'href="#comment-{cid}"' in html  # the mark leads to the comment
    assert f'id="comment-{cid}"' in html and f'href="#passage-{cid}"' in html  # and the comment back to it
    assert "Passage changed" not in html

    # The reviewer asks for changes; the writer edits the other paragraph: the passage still stands.
    assert n.act(aid, n.reviewer, "request_changes", comment="See my note.").status_code == 200
    edit(n, aid, BODY.replace("three to five weeks", "three to six weeks"))
    html = page(client.get(f"/articles/{aid}"))
    assert f'id="passage-{cid}"' in html and "Passage changed" not in html

    # The writer rewrites the passage itself: no mark, and the thread says so.
    rewritten = edit(n, aid, BODY.replace("the chance that the cancer comes back", "the risk of recurrence by two thirds"))
    html = page(client.get(f"/articles/{aid}"))
    assert f'id="passage-{cid}"' not in html and "comment-mark" not in html
    assert "Passage changed" in html and f"written on revision {written_on}" in html
    assert f'href="/articles/{aid}/revisions/{written_on}#passage-{cid}"' in html
    assert rewritten == written_on + 2

    # The revision it was written on still shows it, with the comment below the text.
    old = page(client.get(f"/articles/{aid}/revisions/{written_on}"))
    assert f'id="passage-{cid}"' in old and f'id="comment-{cid}"' in old and "Say how much lower." in old
    newer = page(client.get(f"/articles/{aid}/revisions/{rewritten}"))
    assert "comment-mark" not in newer


def test_a_resolved_comment_is_not_highlighted_on_the_article_page(client, login, newsroom, app):
    aid = in_review(newsroom)
    login(newsroom.reviewer)
    with app.app_context():
        cid = comment_on_passage(client, aid)
    client.post(f"/articles/{aid}/comments/{cid}/resolve")
    html = page(client.get(f"/articles/{aid}"))
    assert "comment-mark" not in html and "Passage changed" not in html
    assert "comment-resolved" in html
    revision = re.search(r"· revision (\d+) ·", html).group(1)
    old = page(client.get(f"/articles/{aid}/revisions/{revision}"))
    assert 'class="comment-mark comment-mark-resolved"' in old  # the record of that revision shows it, dimmed


def test_a_typed_quote_without_context_works_as_before(client, login, newsroom, app):
    aid = in_review(newsroom)
    login(newsroom.reviewer)
    with app.app_context():
        cid = comment_on_passage(client, aid, quote="treatment on weekdays", quote_prefix="", quote_suffix="")
        assert db.session.get(Comment, cid).quote_prefix is None
    html = page(client.get(f"/articles/{aid}"))
    assert f'id="passage-{cid}"' in html and "<blockquote>treatment on weekdays</blockquote>" in html


def test_a_quote_not_in_the_text_says_so_and_a_comment_without_quote_keeps_no_context(client, login, newsroom, app):
    aid = in_review(newsroom)
    login(newsroom.reviewer)
    with app.app_context():
        comment_on_passage(client, aid, quote="words nobody wrote")
        bare = comment_on_passage(client, aid, quote="", quote_prefix="before", quote_suffix="after")
        assert db.session.get(Comment, bare).quote_prefix is None and db.session.get(Comment, bare).quote_suffix is None
    html = page(client.get(f"/articles/{aid}"))
    assert "comment-mark" not in html and "Passage changed" not in html
    assert "not found in the text" in html


def test_hostile_selectors_are_refused_or_shown_as_text(client, login, newsroom, app):
    aid = in_review(newsroom)
    login(newsroom.reviewer)
    with app.app_context():
        before = db.session.scalar(select(func.count(Comment.id)))
    too_long = client.post(f"/articles/{aid}/comments", data={**PASSAGE, "quote_prefix": "x" * 65, "body": "Note"})
    assert too_long.status_code == 422 and "at most 64 characters" in page(too_long)
    nul = client.post(f"/articles/{aid}/comments", data={**PASSAGE, "quote_suffix": "a\x00b", "body": "Note"})
    assert nul.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == before
        comment_on_passage(client, aid, quote='"><script>alert(1)</script>', quote_prefix='"><img src=x onerror=alert(1)>')
    html = page(client.get(f"/articles/{aid}"))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
