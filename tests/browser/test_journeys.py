"""End-to-end journeys in headless Chromium, one browser context per person, against a live server.

1. The whole review journey: the writer builds the references (RIS import and a hand-entered
   source), drafts and cites them inline; the editor assigns two physician reviewers; one asks for
   changes; the writer revises and resubmits; both sign with their passwords; the editor publishes;
   an anonymous reader sees the public page; the auditor finds the signatures and exports the log.
2. The edit conflict: the author and an editor edit the same version at once; the second save is
   told "Someone else saved first", shown the diff, and keeps their text.
"""
from __future__ import annotations

import csv
import io
import re

try:
    from playwright.sync_api import expect
except ImportError:  # the _chromium_available fixture skips these tests (or fails them in CI)
    expect = None

from tests.browser.conftest import body_editor, page_of, shot

TITLE = "Radiation therapy after breast-conserving surgery"
RIS = """TY  - JOUR
TI  - Intraoperative radiotherapy for early breast cancer: ten-year outcomes of a randomised trial
AU  - Martinez, Ana
AU  - Chen, Li
JO  - Lancet Oncol
PY  - 2021
VL  - 22
IS  - 4
SP  - 512
EP  - 520
DO  - 10.1016/S1470-2045(21)00001-X
ER  - 
"""
BODY = """## Why radiation is given

After surgery that keeps the breast, radiation lowers the chance that the cancer comes back [@martinez2021].

## What to expect

Most people have treatment on weekdays for three to five weeks. Tiredness and skin changes are common [@okafor2020].
"""
REVISED_PARAGRAPH = "Your skin may turn red or darker, like a sunburn. It usually heals a few weeks after treatment ends"


def _flash(page, text: str):
    expect(page.locator(".flashes")).to_contain_text(text)


def _state(page, state: str):
    expect(page.locator(".title-row .badge").first).to_have_text(state)


def _open_article(page, title: str = TITLE):
    page.get_by_role("link", name=title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def _assign(page, reviewer_name: str):
    select = page.get_by_label("Physician reviewer")
    option = select.locator("option", has_text=reviewer_name)
    select.select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Assign reviewer").click()
    _flash(page, "Reviewer assigned.")


def _approve(page, password: str):
    page.get_by_label("I have no conflict of interest with this article.").check()
    page.get_by_label("Your password (your signature)").fill(password)
    page.get_by_role("button", name="Approve and sign").click()
    _flash(page, "Signed.")


def test_the_whole_review_journey(new_context, people, live_server):
    writer_ctx = new_context(people["writer"])
    writer = page_of(writer_ctx)
    expect(writer.get_by_role("heading", level=1)).to_have_text("Writer desk")
    shot(writer, "01-writer-desk")

    # The writer imports one source as RIS text through the import page...
    writer.get_by_role("navigation", name="Main").get_by_role("link", name="Citations").click()
    writer.get_by_role("link", name="Import a file").click()
    writer.get_by_label("Format").select_option("ris")
    writer.get_by_label("or paste the export here").fill(RIS)
    writer.get_by_role("button", name="Import").click()
    result = writer.get_by_role("status").filter(has_text="Import result")
    expect(result).to_contain_text("1 added")
    expect(result.get_by_role("link", name="[@martinez2021]")).to_be_visible()
    shot(writer, "02-citation-import-result")

    # ...and adds another by hand.
    writer.get_by_role("link", name="← Citation library").click()
    writer.get_by_role("link", name="Add a citation").click()
    writer.get_by_label("Title", exact=True).fill("Skin reactions during whole-breast radiotherapy: a prospective cohort")
    writer.get_by_label("Authors").fill("Okafor, Grace\nPatel, Ravi")
    writer.get_by_label("Journal or website").fill("Radiother Oncol")
    writer.get_by_label("Year", exact=True).fill("2020")
    writer.get_by_label("Volume").fill("148")
    writer.get_by_label("Pages", exact=True).fill("1-8")
    writer.get_by_label("DOI", exact=True).fill("https://doi.org/10.1016/j.radonc.2020.03.001")
    shot(writer, "03-citation-new-filled")
    writer.get_by_role("button", name="Add to the library").click()
    _flash(writer, "Added as [@okafor2020].")
    expect(writer.get_by_role("heading", level=1)).to_have_text("[@okafor2020]")

    # The draft, citing both inline.
    writer.get_by_role("navigation", name="Main").get_by_role("link", name="Articles").click()
    writer.get_by_role("link", name="New article").click()
    writer.get_by_label("Title", exact=True).fill(TITLE)
    writer.get_by_label("Summary").fill("Why radiation is usually given after a lumpectomy, and what it feels like.")
    writer.get_by_label("Topic").fill("Breast cancer")
    writer.get_by_label("Body (Markdown)").fill(BODY)
    shot(writer, "04-article-new-filled")
    writer.get_by_role("button", name="Create draft").click()
    _flash(writer, "Draft created.")
    _state(writer, "draft")
    article_url = writer.url
    article_id = int(re.search(r"/articles/(\d+)", article_url).group(1))
    # Not attached yet: the inline keys render as missing.
    expect(writer.locator("#article-text sup.cite-missing")).to_have_count(2)

    for query, key in (("Martinez", "martinez2021"), ("okafor2020", "okafor2020")):
        writer.get_by_label("Find in the citation library").fill(query)
        writer.get_by_role("search").get_by_role("button", name="Search").click()
        found = writer.locator("ul.results li").filter(has_text=key)
        expect(found).to_have_count(1)
        found.get_by_role("button", name="Attach").click()  # opens the edit form with the reference added
        expect(writer.locator("#references ol.references")).to_contain_text(f"[@{key}]")
        writer.get_by_role("button", name="Save as a new revision").click()
        _flash(writer, "Saved as version")
        expect(writer.locator("ol.references")).to_contain_text(f"[@{key}]")
    expect(writer.locator("ol.references > li")).to_have_count(2)
    expect(writer.locator("#article-text sup.cite-missing")).to_have_count(0)
    expect(writer.locator("#article-text sup.cite a")).to_have_text(["1", "2"])
    shot(writer, "05-article-draft-with-references")

    # The editor assigns two physician reviewers from the desk.
    editor_ctx = new_context(people["editor"])
    editor = page_of(editor_ctx)
    expect(editor.get_by_role("heading", level=1)).to_have_text("Senior editor desk")
    waiting = editor.locator("section", has=editor.get_by_role("heading", name="Waiting for reviewer assignment"))
    expect(waiting).to_contain_text(TITLE)
    shot(editor, "06-editor-desk")
    _open_article(editor)
    _assign(editor, "Dr. Rita Review")
    _assign(editor, "Dr. Sam Second")
    reviewers = editor.locator(".reviewer-list")
    expect(reviewers).to_contain_text("Dr. Rita Review")
    expect(reviewers).to_contain_text("Dr. Sam Second")
    shot(editor, "07-editor-article-reviewers-assigned")

    # The writer submits.
    writer.reload()
    writer.get_by_role("button", name="Submit for medical review").click()
    _flash(writer, "Submitted for medical review")
    _state(writer, "in review")

    # The first reviewer asks for changes.
    rita_ctx = new_context(people["reviewer"])
    rita = page_of(rita_ctx)
    expect(rita.get_by_role("heading", level=1)).to_have_text("Physician expert desk")
    expect(rita.locator("table")).to_contain_text(TITLE)
    shot(rita, "08-reviewer-desk")
    _open_article(rita)
    expect(rita.get_by_label("Your password (your signature)")).to_be_visible()
    shot(rita, "09-reviewer-article")
    rita.get_by_label("What needs to change (required)").fill(
        "Please say what the skin changes look like and when they heal.")
    rita.get_by_role("button", name="Request changes").click()
    _flash(rita, "Sent back to the writer")
    _state(rita, "changes requested")

    # The writer sees the request on the desk, revises with a change note and resubmits.
    writer.get_by_role("navigation", name="Main").get_by_role("link", name="Writer").click()
    expect(writer.get_by_text("Please say what the skin changes look like")).to_be_visible()
    _open_article(writer)
    writer.get_by_role("navigation", name="Article").get_by_role("link", name="Edit").click()
    body = body_editor(writer)
    body.fill(BODY.replace("are common [@okafor2020].", f"are common [@okafor2020]. {REVISED_PARAGRAPH}."))
    writer.get_by_label("Change note").fill("Described the skin changes, as Dr. Review asked.")
    shot(writer, "10-article-edit")
    writer.get_by_role("button", name="Save as a new revision").click()
    _flash(writer, "Saved as version")
    expect(writer.locator("#article-text")).to_contain_text(REVISED_PARAGRAPH)
    writer.get_by_role("button", name="Submit for medical review").click()
    _state(writer, "in review")

    # Both reviewers approve with their passwords.
    rita.reload()
    _approve(rita, people["reviewer"].password)
    _state(rita, "in review")
    sam_ctx = new_context(people["reviewer2"])
    sam = page_of(sam_ctx)
    _open_article(sam)
    _approve(sam, people["reviewer2"].password)
    _state(sam, "approved")
    expect(sam.get_by_role("region", name="Signatures")).to_contain_text("Dr. Rita Review")
    expect(sam.get_by_role("region", name="Signatures")).to_contain_text("Dr. Sam Second")
    shot(sam, "11-article-approved")

    # The editor publishes.
    editor.reload()
    _state(editor, "approved")
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Publish")  # the second look
    expect(editor.get_by_role("region", name="What this does")).to_contain_text("goes live at /health/")
    shot(editor, "12a-editor-confirms-publication")
    editor.get_by_role("button", name="Publish").click()
    _flash(editor, "Published: readers now see revision")
    _state(editor, "published")
    expect(editor.get_by_role("link", name="View the live page")).to_be_visible()
    shot(editor, "12-editor-article-published")

    # An anonymous reader finds it among the health topics.
    reader = new_context().new_page()
    reader.goto("/health-topics")
    expect(reader.get_by_role("heading", level=2, name="Breast cancer")).to_be_visible()
    shot(reader, "13-public-index")
    reader.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    credit = reader.locator(".reviewed-line")
    expect(credit).to_contain_text("Medically reviewed by")
    expect(credit).to_contain_text("Dr. Rita Review, MD")
    expect(credit).to_contain_text("Dr. Sam Second, MD, PhD")
    expect(reader.get_by_role("region", name="Medically reviewed by")).to_contain_text("Radiation oncology")
    expect(reader.locator(".reader-body")).to_contain_text(REVISED_PARAGRAPH)
    expect(reader.locator(".reader-body sup.cite a")).to_have_text(["1", "2"])
    expect(reader.locator(".reader-body sup.cite a").first).to_have_attribute("href", "#ref-1")
    refs = reader.get_by_role("region", name="References").locator("ol > li")
    expect(refs).to_have_count(2)
    expect(reader.locator("#ref-1")).to_contain_text("Martinez A")
    expect(reader.locator("#ref-2")).to_contain_text("Okafor G")
    shot(reader, "14-public-article")

    # The auditor finds the signatures and exports the log.
    auditor_ctx = new_context(people["auditor"])
    auditor = page_of(auditor_ctx)
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Auditor desk")
    auditor.get_by_role("link", name="Audit log").click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(auditor.locator("table")).to_contain_text("article.publish")
    shot(auditor, "15-audit-log")
    with auditor.expect_download() as download_info:
        auditor.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert re.fullmatch(r"audit-\d{8}T\d{6}Z\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as fh:
        rows = list(csv.DictReader(io.StringIO(fh.read())))
    actions = [row["action"] for row in rows]
    assert {"article.created", "citation.imported", "review.assigned", "article.request_changes",
            "signature.recorded", "article.publish"} <= set(actions), actions
    assert actions.count("signature.recorded") == 2
    assert all(len(row["hash"]) == 64 for row in rows)
    assert {row["actor_name"] for row in rows if row["action"] == "signature.recorded"} == {"Dr. Rita Review", "Dr. Sam Second"}

    auditor.goto(f"/articles/{article_id}")
    auditor.get_by_role("link", name="Audit timeline").click()
    expect(auditor.get_by_role("heading", level=1)).to_contain_text("Timeline of")
    shot(auditor, "16-audit-timeline")
    auditor.get_by_role("link", name="signature manifest").first.click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Signature manifest")
    expect(auditor.get_by_text("hash matches the text")).to_be_visible()
    manifest = auditor.locator("table tbody tr")
    expect(manifest).to_have_count(2)
    expect(manifest.filter(has_text="Dr. Rita Review")).to_contain_text("Radiation oncology")
    expect(manifest.filter(has_text="Dr. Sam Second")).to_contain_text("MD, PhD")
    for row in manifest.all():
        expect(row).to_contain_text("approval")
        expect(row).to_contain_text("✔")
    shot(auditor, "17-signature-manifest")


def test_edit_conflict_keeps_the_second_writers_text(new_context, people, live_server, isolated_app):
    from editorial.core.extensions import db
    from editorial.accounts.models import User
    from editorial.articles import editing

    with isolated_app.app_context():
        author = db.session.get(User, people["writer"].id)
        article = editing.create_article(author, title="Hot flashes", summary="", topic="Menopause",
                                                 body="Hot flashes are sudden feelings of warmth.")
        db.session.commit()
        article_id = article.id

    writer = page_of(new_context(people["writer"]))
    editor = page_of(new_context(people["editor"]))
    for page in (writer, editor):
        page.goto(f"/articles/{article_id}/edit")
        expect(page.get_by_text("You are editing version 1.")).to_be_visible()

    body_editor(writer).fill("Hot flashes are sudden feelings of warmth, often with sweating.")
    writer.get_by_role("button", name="Save as a new revision").click()
    _flash(writer, "Saved as version 2.")

    editor_text = "Hot flashes are sudden feelings of heat in the upper body."
    body_editor(editor).fill(editor_text)
    editor.get_by_role("button", name="Save as a new revision").click()
    alert = editor.get_by_role("alert")
    expect(alert).to_contain_text("Someone else saved first")
    expect(alert.locator(".diff ins")).to_contain_text("sweating")
    expect(editor.locator("textarea[name=body]")).to_have_value(editor_text)  # the editor's text, in the form
    expect(editor.get_by_text("You are editing version 2.")).to_be_visible()
    shot(editor, "18-edit-conflict")

    # Saving again, knowingly, makes the editor's text version 3; the writer's stays in history.
    editor.get_by_role("button", name="Save as a new revision").click()
    _flash(editor, "Saved as version 3.")
    expect(editor.locator("#article-text")).to_contain_text("feelings of heat in the upper body")
    editor.get_by_role("link", name=re.compile(r"History \(3 revisions\)")).click()
    expect(editor.locator("table tbody tr")).to_have_count(3)
