"""The review round as a physician lives it (#16), in headless Chromium against a live server with
a real SMTP sink: the editor assigns, the writer submits, the reviewer gets the e-mail, comments on
a passage they select, asks for changes; the writer revises (text and references); the reviewer
follows the e-mail's link to what changed since they looked, sees the references by name, declares
no conflict and signs, and sees their signature; the second reviewer signs; the editor publishes
after a confirmation; the reader sees the page. Screenshots of the reviewer's page before and after
signing at 1280 and 390 px go to test-output/screenshots/ for a person to look at."""
from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the _chromium_available fixture skips these tests (or fails them in CI)
    expect = None

from tests.browser.conftest import WIDTHS, body_editor, page_of, shot
from tests.browser.test_accessibility import BLOCKING, _axe
from tests.browser.test_comment_passage import _select_with_the_mouse

TITLE = "Radiation during breast surgery"
RIS = """TY  - JOUR
TI  - Intraoperative radiotherapy versus whole-breast radiotherapy: long-term results
AU  - Vaidya, Jayant S.
AU  - Bulsara, Max
PY  - 2020
JO  - BMJ
VL  - 370
SP  - m2836
DO  - 10.1136/bmj.m2836
ER  - 
TY  - JOUR
TI  - Accelerated partial breast irradiation: an updated consensus statement
AU  - Correa, Candace
AU  - Harris, Eleanor E.
PY  - 2017
JO  - Pract Radiat Oncol
VL  - 7
IS  - 2
SP  - 73
EP  - 79
DO  - 10.1016/j.prro.2016.09.007
ER  - 
"""
BODY = """## What it is

Some people can have a single dose of radiation during the operation, instead of weeks of treatment afterwards [@vaidya2020].

## Who can have it

It suits people over 50 with a small, slow-growing tumour.
"""
PASSAGE = "a small, slow-growing tumour"


@pytest.fixture
def sink(isolated_app, live_server):
    """A real SMTP server on a free port, and the app's settings pointing at it."""
    pytest.importorskip("aiosmtpd", reason="the review round e-mails through aiosmtpd (test dependency)")
    from tests.test_notifications import Sink, free_port

    port = free_port()
    isolated_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_TIMEOUT="5",
                               MAIL_FROM="Vetted <desk@vetted.example>", APP_BASE_URL=live_server.url)
    server = Sink(port).start()
    yield server
    server.stop()


def deliver(app, sink, to: str) -> str:
    """Run the notification worker once and answer the newest message sent to this address."""
    from editorial.core.extensions import db
    from editorial.core.mailer import SmtpSettings
    from editorial.notifications import service as notifications

    with app.app_context():
        notifications.deliver(SmtpSettings.from_config(app.config))
        db.session.remove()
    mine = [m for m in sink.messages if to in m["To"]]
    assert mine, f"no message to {to}"
    return mine[-1].get_body(preferencelist=("plain",)).get_content()  # the text part (then the HTML one)


@pytest.fixture
def draft(isolated_app, people):
    """The writer's draft citing one source, with two physician reviewers assigned by the editor."""
    from editorial.core.extensions import db
    from editorial.accounts.models import User
    from editorial.articles import editing
    from editorial.citations import service as citations
    from editorial.reviews import service as reviews

    with isolated_app.app_context():
        writer, editor = (db.session.get(User, people[k].id) for k in ("writer", "editor"))
        citations.import_citations(writer, "ris", RIS)
        article = editing.create_article(writer, title=TITLE, body=BODY, summary="A single dose during surgery.",
                                          topic="Breast cancer")
        from editorial.citations.models import Citation
        from sqlalchemy import select

        first = db.session.scalar(select(Citation).where(Citation.key == "vaidya2020"))
        editing.set_citations(writer, article, [first.id], base_version=article.version, note="Sources")
        for key in ("reviewer", "reviewer2"):
            reviews.assign_reviewer(editor, article, people[key].id)
        db.session.commit()
        return article.id


def _accessible(page, where: str):
    """axe-core finds no serious or critical violation on the page as it is now."""
    found = [f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
             for v in _axe(page) if v["impact"] in BLOCKING]
    assert not found, f"{where}: {found}"


def _flash(page, text: str):
    expect(page.locator(".flashes")).to_contain_text(text)


def test_the_review_round(new_context, people, live_server, isolated_app, sink, draft):
    aid = draft
    rita_email, sam_email = people["reviewer"].email, people["reviewer2"].email

    # Assigned to a draft, nobody was asked to read anything yet; the writer submits with a note.
    writer = page_of(new_context(people["writer"]))
    writer.goto(f"/articles/{aid}")
    writer.get_by_label("Note (optional), sent to the reviewers with their request").fill("Ready for you.")
    writer.get_by_role("button", name="Submit for medical review").click()
    _flash(writer, "Submitted for medical review: Dr. Rita Review and Dr. Sam Second have been asked to review it.")

    # The reviewer's e-mail: the writer's note and a link to the article.
    mail = deliver(isolated_app, sink, rita_email)
    assert "Ready for you." in mail
    link = re.search(r"Open in Vetted: (\S+)", mail).group(1)
    assert link == f"{live_server.url}/articles/{aid}"

    rita = page_of(new_context(people["reviewer"]))
    rita.goto(link)
    review = rita.locator("#my-review")
    expect(review).to_contain_text("Your answer")
    expect(review.get_by_role("button", name="Approve and sign")).to_be_visible()

    # A comment on a passage the reviewer selects; then changes requested.
    rita.locator("#article-body p", has_text=PASSAGE).scroll_into_view_if_needed()
    _select_with_the_mouse(rita, PASSAGE)
    box = rita.get_by_role("dialog", name="Comment on the selected passage")
    expect(box).to_be_visible()
    expect(rita.locator("#body")).to_be_focused()
    rita.locator("#body").fill("Say what 'small' means: under 3 cm?")
    box.get_by_role("button", name="Add comment").click()
    _flash(rita, "Comment added.")
    expect(rita.locator("#article-body mark.comment-mark")).to_have_text(PASSAGE)
    review.get_by_label("What needs to change (required)").fill("Please define a small tumour and cite the consensus.")
    review.get_by_role("button", name="Request changes").click()
    _flash(rita, "Sent back to the writer")

    # The writer revises the text and the references, and resubmits.
    writer.goto(f"/articles/{aid}/edit")
    body = body_editor(writer)
    body.fill(BODY.replace("a small, slow-growing tumour.",
                           "a small (under 3 cm), slow-growing tumour [@correa2017]."))
    writer.get_by_label("Change note").fill("Defined a small tumour, cited the consensus.")
    # The reference is attached in the same form and saved with the text, as one revision.
    writer.get_by_label("Find in the citation library").fill("correa2017")
    writer.get_by_role("search").get_by_role("button", name="Search").click()
    writer.locator("ul.results li").filter(has_text="correa2017").get_by_role("button", name="Attach").click()
    expect(writer.locator("#references ol.references > li")).to_have_count(2)
    expect(writer.locator("textarea[name=body]")).to_have_value(re.compile(r"under 3 cm"))
    writer.get_by_role("button", name="Save as a new revision").click()
    _flash(writer, "Saved as version")
    expect(writer.locator("ol.references > li")).to_have_count(2)
    writer.get_by_role("button", name="Submit for medical review").click()
    _flash(writer, "Submitted for medical review")

    # The e-mail leads to what changed since Rita asked for changes, references by name.
    mail = deliver(isolated_app, sink, rita_email)
    assert "since you asked for changes on revision 2" in mail
    link = re.search(r"Open in Vetted: (\S+)", mail).group(1)
    assert link == f"{live_server.url}/articles/{aid}/since-my-review"
    rita.goto(link)
    expect(rita.locator("ins").first).to_be_visible()
    expect(rita.locator("main")).to_contain_text("small (under 3 cm)")
    expect(rita.locator("main")).to_contain_text("Accelerated partial breast irradiation: an updated consensus statement")
    _accessible(rita, "the reviewer's own diff")

    # She declares no conflict and signs; screenshots before and after at both widths.
    rita.goto(f"/articles/{aid}")
    for name, width in WIDTHS.items():
        rita.set_viewport_size({"width": width, "height": 900})
        shot(rita, f"review-round-reviewer-before-signing-{name}")
        _accessible(rita, f"the reviewer's page before signing at {width} px")
    rita.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    review = rita.locator("#my-review")
    review.get_by_label("I have no conflict of interest with this article.").check()
    review.get_by_label("Your password (your signature)").fill(people["reviewer"].password)
    review.get_by_role("button", name="Approve and sign").click()
    _flash(rita, "Signed. Waiting on Dr. Sam Second.")
    review = rita.locator("#my-review")
    expect(review).to_contain_text("Your signature")
    expect(review).to_contain_text("Dr. Rita Review, MD (Radiation oncology)")
    expect(review.get_by_label("Your password (your signature)")).to_have_count(0)
    expect(rita.locator("input[type=password]")).to_have_count(0)
    for name, width in WIDTHS.items():
        rita.set_viewport_size({"width": width, "height": 900})
        shot(rita, f"review-round-reviewer-after-signing-{name}")
        _accessible(rita, f"the reviewer's page after signing at {width} px")

    # The second reviewer signs from the e-mail's link (a first read: the article itself).
    link = re.search(r"Open in Vetted: (\S+)", deliver(isolated_app, sink, sam_email)).group(1)
    sam = page_of(new_context(people["reviewer2"]))
    sam.goto(link)
    review = sam.locator("#my-review")
    review.get_by_label("I have no conflict of interest with this article.").check()
    review.get_by_label("Your password (your signature)").fill(people["reviewer2"].password)
    review.get_by_role("button", name="Approve and sign").click()
    _flash(sam, "Signed. Every reviewer has signed: waiting on a senior editor to publish.")

    # The editor publishes after a confirmation that says what will happen.
    editor = page_of(new_context(people["editor"]))
    editor.goto(f"/articles/{aid}")
    editor.get_by_role("button", name="Publish").click()
    confirm = editor.get_by_role("region", name="What this does")
    expect(confirm).to_contain_text("goes out signed by Dr. Rita Review, MD and Dr. Sam Second, MD, PhD")
    _accessible(editor, "the publish confirmation")
    editor.get_by_role("button", name="Publish").click()
    _flash(editor, "Published: readers now see revision")

    # An anonymous reader sees the signed text and who reviewed it.
    public_path = editor.get_by_role("link", name="View the live page").get_attribute("href")
    reader = new_context().new_page()
    reader.goto(public_path)
    page_text = reader.locator("main")
    expect(page_text).to_contain_text("under 3 cm")
    expect(page_text).to_contain_text("Dr. Rita Review")
    expect(page_text).to_contain_text("Dr. Sam Second")
    shot(reader, "review-round-public-page")

    # Editing the signed text again asks first, on the edit form: what was typed stays, the
    # signatures it voids are named, and only "Save and void 2 signatures" saves.
    writer.goto(f"/articles/{aid}/edit")
    body_editor(writer).fill(BODY.replace("a small, slow-growing tumour.", "a small (under 3 cm) tumour."))
    writer.get_by_label("Change note").fill("Shorter wording.")
    writer.get_by_role("button", name="Save as a new revision").click()
    asked = writer.locator("#save-consequence")
    expect(asked).to_contain_text("This voids 2 signatures: Dr. Rita Review, MD and Dr. Sam Second, MD, PhD.")
    expect(asked).to_contain_text("The live page stays as it is")
    expect(writer.locator("textarea[name=body]")).to_have_value(re.compile(r"under 3 cm\) tumour"))
    _accessible(writer, "the edit form's confirmation")
    asked.get_by_role("button", name="Save and void 2 signatures").click()
    _flash(writer, "Saved as version")
