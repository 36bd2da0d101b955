"""The review round as the people in it see it (#16): the reviewer's one place for their next step,
their signature once given, the request that reaches them on every (re)submission with a link to
what changed since they last looked, and live pages told apart from the work on them."""
import re

import pytest

from sqlalchemy import select

from editorial.core.extensions import db
from editorial.notifications.models import Notification
from tests.conftest import TEST_PASSWORD
from tests.views.test_article_pages import page, signing_fields


@pytest.fixture
def outbox(app):
    """The messages a user was sent, oldest first (optionally of one kind)."""
    def messages(user, kind=None):
        statement = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        if kind:
            statement = statement.where(Notification.kind == kind)
        with app.app_context():
            return db.session.scalars(statement).all()
    return messages


def sign_in_the_page(client, newsroom, aid, reviewer, **extra):
    form = page(client.get(f"/articles/{aid}"))
    return client.post(f"/articles/{aid}/transition", data={
        "action": "approve", "password": TEST_PASSWORD, **signing_fields(newsroom, aid, form), **extra})


def test_after_signing_the_reviewer_sees_their_signature_and_whom_it_waits_on(client, login, newsroom, app):
    n = newsroom
    aid = n.ready_for_review()["id"]
    login(n.reviewer)
    signed = sign_in_the_page(client, n, aid, n.reviewer)
    assert signed.status_code == 302
    after = page(client.get(signed.headers["Location"]))
    assert "Signed. Waiting on Dr. Sam Second." in after
    assert "The article is now" not in after  # no state-machine words for a physician
    mine = after.split('id="my-review"', 1)[1].split("</section>", 1)[0]
    current = n.article(aid)["current_revision"]
    assert "Your signature" in mine and "Dr. Rita Review" in mine and "MD" in mine
    assert f"revision {current['number']}" in mine and current["content_hash"] in mine
    assert 'type="password"' not in after and "Approve and sign" not in after  # the form is gone

    login(n.reviewer2)
    last = sign_in_the_page(client, n, aid, n.reviewer2)
    assert "Signed. Every reviewer has signed: waiting on a senior editor to publish." in page(client.get(last.headers["Location"]))


def test_the_reviewers_next_step_is_in_one_place_in_the_order_they_take_it(client, login, newsroom):
    n = newsroom
    aid = n.ready_for_review()["id"]
    login(n.reviewer)
    html = page(client.get(f"/articles/{aid}"))
    mine = html.split('id="my-review"', 1)[1].split("</section>", 1)[0]
    # answer the assignment (declaring conflicts), then sign or send back: all in the one section
    assert mine.index("Send my answer") < mine.index("Approve and sign") < mine.index("Request changes")
    assert html.count("Send my answer") == 1

    n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True, "conflict_of_interest": "none"})
    html = page(client.get(f"/articles/{aid}"))
    mine = html.split('id="my-review"', 1)[1].split("</section>", 1)[0]
    assert "Send my answer" not in html and "You accepted" in mine and "no conflict of interest" in mine
    assert "I have no conflict of interest with this article." not in mine  # declared already


def test_reviewer_badges_say_accepted_declined_signed_and_changes_requested(client, login, newsroom, make_user, token_for):
    n = newsroom
    third = make_user("reviewer", name="Dr. Tess Third", credentials="MD", disclosure="None")
    n.headers[third.id] = token_for(third)
    aid = n.ready_for_review(reviewers=[n.reviewer, n.reviewer2, third])["id"]
    n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer2, {"accepted": True, "conflict_of_interest": "none"})
    n.call("PATCH", f"/articles/{aid}/reviewers/me", third, {"accepted": False, "reason": "Away"})
    assert n.sign(aid, n.reviewer).status_code == 200
    login(n.editor)
    reviewers = page(client.get(f"/articles/{aid}")).split('id="reviewers-title"', 1)[1].split("</section>", 1)[0]
    assert "badge-signed" in reviewers and "badge-accepted" in reviewers and "badge-declined" in reviewers
    assert "badge-pending" not in reviewers

    n.act(aid, n.reviewer2, "request_changes", comment="Cite the trial.")
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": n.article(aid)["version"], "note": "Cited",
                                                   "body": "Body text [@tom2019]. More."})
    reviewers = page(client.get(f"/articles/{aid}")).split('id="reviewers-title"', 1)[1].split("</section>", 1)[0]
    assert "signed an earlier revision" in reviewers and "asked for changes on an earlier revision" in reviewers


def test_assigning_a_draft_does_not_ask_for_a_review_yet(app, newsroom, outbox):
    n = newsroom
    aid = n.create()["id"]
    n.attach(aid)
    n.assign(aid, n.reviewer, due_date="2099-01-31")
    assert outbox(n.reviewer) == []  # nothing to read yet; their desk lists the assignment

    n.act(aid, n.writer, "submit", comment="Ready for you: dose table added.")
    requests = outbox(n.reviewer, "review_requested")
    assert len(requests) == 1 and requests[0].subject == "Review requested: Intraoperative radiation therapy"
    assert "Ready for you: dose table added." in requests[0].body and "31 January 2099" in requests[0].body
    assert requests[0].link == f"/articles/{aid}"  # nothing seen before: the article itself


def test_every_resubmission_asks_each_assigned_reviewer_again_with_their_own_diff(app, newsroom, make_user, token_for, outbox):
    n = newsroom
    third = make_user("reviewer", name="Dr. Tess Third", credentials="MD", disclosure="None")
    n.headers[third.id] = token_for(third)
    aid = n.ready_for_review(reviewers=[n.reviewer, n.reviewer2, third])["id"]
    n.call("PATCH", f"/articles/{aid}/reviewers/me", third, {"accepted": False, "reason": "Away"})
    assert n.sign(aid, n.reviewer).status_code == 200  # signs revision 2
    assert n.act(aid, n.reviewer2, "request_changes", comment="Explain margins.").status_code == 200
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": 2, "note": "Margins",
                                                   "body": "Body text [@tom2019]. Margins explained."})
    assert n.act(aid, n.writer, "submit", comment="Margins explained.").status_code == 200

    for reviewer in (n.reviewer, n.reviewer2):
        requests = outbox(reviewer, "review_requested")
        assert len(requests) == 2, reviewer.name
        assert "Margins explained." in requests[-1].body
        assert requests[-1].link == f"/articles/{aid}/since-my-review"
    assert "since you signed revision 2" in outbox(n.reviewer, "review_requested")[-1].body
    assert "since you asked for changes on revision 2" in outbox(n.reviewer2, "review_requested")[-1].body
    assert len(outbox(third, "review_requested")) == 1  # declined: not asked again

    late = make_user("reviewer", name="Dr. Lou Late", credentials="MD", disclosure="None")
    n.assign(aid, late)  # assigned while in review: asked at once
    assert [m.kind for m in outbox(late)] == ["review_requested"]


def test_since_my_review_opens_that_reviewers_own_diff(client, login, newsroom):
    n = newsroom
    aid = n.ready_for_review()["id"]
    assert n.sign(aid, n.reviewer).status_code == 200
    assert n.act(aid, n.reviewer2, "request_changes", comment="Explain margins.").status_code == 200
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": 2, "note": "Margins",
                                                   "body": "Body text [@tom2019]. Margins explained."})
    n.act(aid, n.writer, "submit")

    login(n.reviewer2)
    opened = client.get(f"/articles/{aid}/since-my-review")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/articles/{aid}/diff?from=2&to=3")
    diff = page(client.get(opened.headers["Location"]))
    assert "<ins>. Margins explained</ins>" in diff
    article_page = page(client.get(f"/articles/{aid}"))
    assert "What changed since you asked for changes (revision 2 → 3)" in article_page
    desk = page(client.get("/dashboard/reviewer"))
    assert f"/articles/{aid}/since-my-review" in desk

    login(n.reviewer)
    assert page(client.get(f"/articles/{aid}")).count("What changed since you signed (revision 2 → 3)") == 1
    login(n.writer)  # not a reviewer of it: the article itself
    assert client.get(f"/articles/{aid}/since-my-review").headers["Location"].endswith(f"/articles/{aid}")


def test_submitting_without_a_reviewer_tells_the_writer_to_ask_an_editor_and_tells_the_editors(client, login, newsroom, app, outbox):
    n = newsroom
    aid = n.create()["id"]
    n.attach(aid)
    login(n.writer)
    refused = client.post(f"/articles/{aid}/transition", data={"action": "submit"})
    assert refused.status_code == 422
    assert "ask a senior editor to assign one" in page(refused) and "The senior editors have been told." in page(refused)
    waiting = outbox(n.editor, "reviewer_wanted")
    assert len(waiting) == 1 and waiting[0].link == f"/articles/{aid}"
    client.post(f"/articles/{aid}/transition", data={"action": "submit"})
    assert len(outbox(n.editor, "reviewer_wanted")) == 1  # once per revision, however often one clicks


def test_live_pages_are_told_apart_from_the_work_on_them(client, login, newsroom):
    n = newsroom
    live = n.published()
    n.call("PATCH", f"/articles/{live['id']}", n.writer, {"base_version": live["version"], "note": "Update",
                                                         "body": "Body text [@tom2019]. Updated."})
    login(n.writer)
    desk = page(client.get("/dashboard/writer"))
    live_section = desk.split("My live articles", 1)[1].split("</section>", 1)[0]
    assert f"Live: revision {live['version']}" in live_section and "badge-draft" in live_section
    assert f"Live: revision {live['version']}" in page(client.get("/articles/"))
    login(n.editor)
    editor_desk = page(client.get("/dashboard/editor"))
    assert re.search(r"Live on the site</span>\s*<strong>1</strong>", editor_desk)
    recent = editor_desk.split("Recently published", 1)[1].split("</section>", 1)[0]
    assert f"Live: revision {live['version']}" in recent


def test_an_accepted_reviewer_can_still_declare_a_conflict_from_their_review(client, login, newsroom, app):
    n = newsroom
    aid = n.ready_for_review()["id"]
    n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True})  # accepted, nothing declared
    login(n.reviewer)
    mine = page(client.get(f"/articles/{aid}")).split('id="my-review"', 1)[1].split("</section>", 1)[0]
    assert "Declare a conflict of interest" in mine
    declared = client.post(f"/articles/{aid}/respond", data={
        "accepted": "yes", "conflict_of_interest": "I advise the device's maker."})
    assert declared.status_code == 302
    mine = page(client.get(f"/articles/{aid}")).split('id="my-review"', 1)[1].split("</section>", 1)[0]
    assert "I advise the device&#39;s maker." in mine and "an editor must waive it before you can sign" in mine


def test_history_compares_from_the_revision_the_reviewer_last_decided_on(client, login, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]  # revision 2
    n.act(aid, n.reviewer, "request_changes", comment="Explain margins.")
    for number in (2, 3):
        n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": number, "note": f"Edit {number}",
                                                       "body": f"Body text [@tom2019]. Edit {number}."})
    login(n.reviewer)
    assert 'id="from" name="from" type="number" min="1" max="4" value="2"' in page(client.get(f"/articles/{aid}/history"))
    login(n.editor)
    assert 'id="from" name="from" type="number" min="1" max="4" value="3"' in page(client.get(f"/articles/{aid}/history"))


def test_the_reviewers_own_diff_names_references_by_their_text(client, login, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    n.act(aid, n.reviewer, "request_changes", comment="Cite the consensus.")
    consensus = n.make_citation(key="correa2017", title="Accelerated partial breast irradiation consensus")
    n.attach(aid, consensus.id)
    login(n.reviewer)
    html = page(client.get(f"/articles/{aid}"))
    mine = html.split('id="my-review"', 1)[1].split("</section>", 1)[0]
    assert "[@correa2017]" in mine and consensus.formatted in mine and "now reference 2" in mine
    assert "citation ids" not in mine


def test_a_scheduled_re_review_asks_every_reviewer_again(newsroom, outbox):
    n = newsroom
    live = n.published()
    before = {r.id: len(outbox(r, "review_requested")) for r in (n.reviewer, n.reviewer2)}
    assert n.act(live["id"], n.editor, "start_rereview", comment="Yearly check of the doses.").status_code == 200
    for reviewer in (n.reviewer, n.reviewer2):
        asked = outbox(reviewer, "review_requested")
        assert len(asked) == before[reviewer.id] + 1
        assert "Yearly check of the doses." in asked[-1].body and asked[-1].link == f"/articles/{live['id']}/since-my-review"
