"""Consequential clicks get a second look: publish, unpublish, detaching or moving a reference on
signed text, and deactivating an account each lead to a page that says what will happen, and
act only when that page's form is sent (no JavaScript needed). A one-click form does nothing."""
import re

from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.accounts.models import ApiToken, User


def page(response) -> str:
    return response.get_data(as_text=True)


def confirmed_field(html: str) -> str:
    return re.search(r'name="confirmed" value="([0-9a-f]+)"', html).group(1)


def state_and_version(app, article_id):
    with app.app_context():
        article = db.session.get(Article, article_id)
        return article.state, article.version


def two_references_approved(n):
    """An approved article (revision 3) citing two references, signed by both reviewers."""
    second = n.make_citation(key="second2020")
    article = n.create()
    n.attach(article["id"])
    n.attach(article["id"], second.id)
    for reviewer in (n.reviewer, n.reviewer2):
        assert n.assign(article["id"], reviewer).status_code == 201
    assert n.act(article["id"], n.writer, "submit").status_code == 200
    for reviewer in (n.reviewer, n.reviewer2):
        assert n.sign(article["id"], reviewer).status_code == 200
    assert n.article(article["id"])["state"] == "approved"
    return article["id"], second


VOIDS_BOTH = "This voids 2 signatures: Dr. Rita Review, MD and Dr. Sam Second, MD, PhD."


def test_publish_without_confirmation_does_nothing_and_shows_what_goes_live(client, login, newsroom, app):
    n = newsroom
    aid = n.approved()["id"]
    login(n.editor)
    one_click = client.post(f"/articles/{aid}/transition", data={"action": "publish"})
    assert one_click.status_code == 303
    assert state_and_version(app, aid) == ("approved", 2)

    confirm = client.get(one_click.headers["Location"])  # a GET: the suite fails it if it writes
    html = page(confirm)
    assert confirm.status_code == 200
    assert "Revision 2 goes live at /health/intraoperative-radiation-therapy" in html
    assert "Dr. Rita Review, MD and Dr. Sam Second, MD, PhD" in html
    assert f'href="/articles/{aid}"' in html and "Cancel" in html

    stale = client.post(f"/articles/{aid}/transition", data={"action": "publish", "confirmed": "1"})
    assert stale.status_code == 303 and state_and_version(app, aid) == ("approved", 2)

    done = client.post(f"/articles/{aid}/transition", data={"action": "publish", "confirmed": confirmed_field(html)})
    assert done.status_code == 302
    assert state_and_version(app, aid) == ("published", 2)


def test_unpublish_says_readers_lose_the_page_and_keeps_the_note(client, login, newsroom, app):
    n = newsroom
    article = n.published()
    aid = article["id"]
    login(n.editor)
    one_click = client.post(f"/articles/{aid}/transition", data={"action": "unpublish", "comment": "Dose out of date"},
                            follow_redirects=True)
    html = page(one_click)
    assert "Readers lose the page" in html and f"/health/{article['slug']}" in html
    assert "Dose out of date</textarea>" in html  # the note typed on the article page is carried over
    assert state_and_version(app, aid)[0] == "published"

    client.post(f"/articles/{aid}/transition", data={"action": "unpublish", "comment": "Dose out of date",
                                                    "confirmed": confirmed_field(html)})
    assert state_and_version(app, aid)[0] == "archived"
    assert app.test_client().get(f"/health/{article['slug']}").status_code == 404  # readers lost it


def test_only_those_who_may_publish_see_the_confirmation(client, login, newsroom):
    n = newsroom
    aid = n.approved()["id"]
    login(n.writer)
    assert client.get(f"/articles/{aid}/transition?action=publish").status_code == 403
    login(n.editor)
    assert client.get(f"/articles/{aid}/transition?action=approve").status_code == 400
    assert client.get(f"/articles/{aid}/transition?action=unpublish").status_code == 409


def test_detaching_a_signed_reference_names_the_signatures_it_voids(client, login, newsroom, app):
    n = newsroom
    aid, second = two_references_approved(n)
    login(n.writer)
    one_click = client.post(f"/articles/{aid}/citations/{second.id}/detach", data={"base_version": "3"},
                            follow_redirects=True)
    html = page(one_click)
    assert VOIDS_BOTH in html
    assert "Detaching [@second2020] saves revision 4" in html
    assert "goes back to draft" in html
    assert state_and_version(app, aid) == ("approved", 3)

    client.post(f"/articles/{aid}/citations/{second.id}/detach", data={"base_version": "3", "confirmed": confirmed_field(html)})
    assert state_and_version(app, aid) == ("draft", 4)
    assert "second2020" not in str(n.article(aid)["current_revision"])


def test_moving_a_signed_reference_names_the_signatures_it_voids(client, login, newsroom, app):
    n = newsroom
    aid, second = two_references_approved(n)
    login(n.editor)
    one_click = client.post(f"/articles/{aid}/citations/{second.id}/move", data={"base_version": "3", "direction": "up"})
    assert one_click.status_code == 303 and state_and_version(app, aid) == ("approved", 3)
    html = page(client.get(one_click.headers["Location"]))
    assert VOIDS_BOTH in html and "Moving [@second2020] up saves revision 4" in html
    assert 'name="direction" value="up"' in html and 'name="base_version" value="3"' in html

    client.post(f"/articles/{aid}/citations/{second.id}/move",
                data={"base_version": "3", "direction": "up", "confirmed": confirmed_field(html)})
    assert state_and_version(app, aid) == ("draft", 4)


def test_a_confirmation_is_for_what_was_shown(client, login, newsroom, app):
    """Confirmed while one reviewer had signed, sent after the second signed: shown again, not acted on."""
    n = newsroom
    second = n.make_citation(key="second2020")
    aid = n.create()["id"]
    n.attach(aid)
    n.attach(aid, second.id)
    for reviewer in (n.reviewer, n.reviewer2):
        n.assign(aid, reviewer)
    n.act(aid, n.writer, "submit")
    n.sign(aid, n.reviewer)
    n.act(aid, n.reviewer2, "request_changes", comment="Add the 2021 trial.")
    login(n.writer)
    html = page(client.get(f"/articles/{aid}/citations/{second.id}/detach?base_version=3"))
    assert "This voids 1 signature: Dr. Rita Review, MD." in html
    shown = confirmed_field(html)
    client.post(f"/articles/{aid}/citations/{second.id}/move", data={"base_version": "3", "direction": "up",
                                                                    "confirmed": shown})
    assert state_and_version(app, aid) == ("changes_requested", 3)  # a detach's confirmation moves nothing
    client.post(f"/articles/{aid}/citations/{second.id}/detach", data={"base_version": "3", "confirmed": shown})
    assert state_and_version(app, aid) == ("changes_requested", 4)


def test_references_on_a_draft_move_and_detach_in_one_click(client, login, newsroom, app):
    n = newsroom
    second = n.make_citation(key="second2020")
    aid = n.create()["id"]
    n.attach(aid)
    n.attach(aid, second.id)
    login(n.writer)
    moved = client.post(f"/articles/{aid}/citations/{second.id}/move", data={"base_version": "3", "direction": "up"})
    assert moved.status_code == 302 and state_and_version(app, aid) == ("draft", 4)
    detached = client.post(f"/articles/{aid}/citations/{second.id}/detach", data={"base_version": "4"})
    assert detached.status_code == 302 and state_and_version(app, aid) == ("draft", 5)
    confirm = page(client.get(f"/articles/{aid}/citations/{n.citation.id}/detach"))
    assert "No signature is at stake" in confirm


def test_deactivating_a_signer_says_what_stops_working(client, login, newsroom, make_user, token_for, app):
    n = newsroom
    article = n.approved()
    token_for(n.reviewer)  # a second token beside the newsroom's
    admin = make_user("admin")
    login(admin)
    one_click = client.post(f"/admin/users/{n.reviewer.id}/active", data={"active": "0"}, follow_redirects=True)
    html = page(one_click)
    assert "Dr. Rita Review can no longer sign in" in html
    assert "Their 2 API tokens stop working." in html
    assert "Their signatures stop counting for publishing" in html and article["title"] in html
    with app.app_context():
        assert db.session.get(User, n.reviewer.id).is_active_account

    client.post(f"/admin/users/{n.reviewer.id}/active", data={"active": "0", "confirmed": confirmed_field(html)})
    with app.app_context():
        assert not db.session.get(User, n.reviewer.id).is_active_account
        assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == n.reviewer.id)) == 2
    assert n.call("GET", "/me", n.reviewer).status_code == 401

    client.post(f"/admin/users/{n.reviewer.id}/active", data={"active": "1"})  # reactivating takes one click
    with app.app_context():
        assert db.session.get(User, n.reviewer.id).is_active_account


def test_the_confirmation_pages_write_nothing(client, login, newsroom, make_user, app):
    """The suite refuses any write in a GET; this also checks the pages leave the audit trail alone."""
    from editorial.audit.models import AuditEvent

    n = newsroom
    aid, second = two_references_approved(n)
    admin = make_user("admin")
    def events() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count(AuditEvent.id)))

    login(n.editor)  # signing in is audited (session.started): count from here
    before = events()
    for path in (f"/articles/{aid}/transition?action=publish", f"/articles/{aid}/citations/{second.id}/detach",
                 f"/articles/{aid}/citations/{second.id}/move?direction=up"):
        assert client.get(path).status_code == 200, path
    assert events() == before
    login(admin)
    before = events()
    assert client.get(f"/admin/users/{n.reviewer.id}/deactivate").status_code == 200
    assert events() == before
    assert state_and_version(app, aid) == ("approved", 3)


def edit_fields(n, article_id, **changes):
    """What the edit form sends: the current revision's fields, its list of references, and `changes`."""
    article = n.article(article_id)
    fields = {"title": article["title"], "summary": article["summary"] or "", "body": article["body"],
              "topic": article["topic"] or "", "base_version": str(article["version"]), "references_in_form": "1",
              "citation_ids": [str(c["id"]) for c in article["citations"]], "note": ""}
    fields.update(changes)
    return fields


def test_saving_an_edit_of_signed_text_names_the_signatures_it_voids(client, login, newsroom, app):
    """The edit form holds the reference buttons too: its save, on signed text, shows what it voids
    on the form itself (what was typed kept) and saves only with that consequence confirmed."""
    n = newsroom
    aid, second = two_references_approved(n)
    login(n.writer)
    typed = edit_fields(n, aid, body="Body text [@tom2019]. A sentence the writer typed.",
                        citation_ids=[str(n.citation.id)], note="Drop the second source.")
    first = client.post(f"/articles/{aid}/edit", data=typed)
    html = page(first)
    assert first.status_code == 200 and state_and_version(app, aid) == ("approved", 3)
    assert VOIDS_BOTH in html and "Saving this edit saves revision 4" in html and "goes back to draft" in html
    assert "Save and void 2 signatures" in html
    assert "A sentence the writer typed." in html and "Drop the second source." in html
    assert f'name="citation_ids" type="hidden" value="{n.citation.id}"' in html
    assert f'name="citation_ids" type="hidden" value="{second.id}"' not in html  # the list as the writer left it

    stale = client.post(f"/articles/{aid}/edit", data={**typed, "confirmed": "0" * 20})
    assert "What this does has changed since you looked" in page(stale)
    assert state_and_version(app, aid) == ("approved", 3)

    unexplained = client.post(f"/articles/{aid}/edit", data={**typed, "note": "", "confirmed": confirmed_field(html)})
    refusal = page(unexplained)  # refused for its missing note: the consequence and its button stay
    assert unexplained.status_code == 422 and "a change note is required" in refusal
    assert "Save and void 2 signatures" in refusal and confirmed_field(refusal) == confirmed_field(html)
    assert state_and_version(app, aid) == ("approved", 3)

    saved = client.post(f"/articles/{aid}/edit", data={**typed, "confirmed": confirmed_field(html)})
    assert saved.status_code == 302 and state_and_version(app, aid) == ("draft", 4)
    current = n.article(aid)
    assert [c["id"] for c in current["citations"]] == [n.citation.id] and "A sentence the writer typed." in current["body"]


def test_saving_an_edit_nobody_signed_takes_one_step(client, login, newsroom, app):
    n = newsroom
    aid = n.create()["id"]
    n.attach(aid)
    login(n.writer)
    version = state_and_version(app, aid)[1]
    saved = client.post(f"/articles/{aid}/edit", data=edit_fields(n, aid, body="Body text [@tom2019]. More."))
    assert saved.status_code == 302 and state_and_version(app, aid) == ("draft", version + 1)
