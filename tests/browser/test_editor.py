"""The Markdown editor of the edit page (#19), in headless Chromium: the toolbar, the preview that
equals the published rendering, `[@` suggestions, references reordered and saved with the text as
one revision, the unsaved text offered back after the tab closed, and no console error (CSP)."""
import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import body_editor, page_of, shot


@pytest.fixture
def draft(isolated_app, people):
    """A draft by the writer citing two sources, with two more in the library."""
    from editorial.core.extensions import db
    from editorial.citations.models import Citation
    from editorial.accounts.models import User
    from editorial.articles import editing

    with isolated_app.app_context():
        citations = []
        for key, title, year in (("correa2017", "Partial breast irradiation consensus", 2017),
                                 ("martinez2021", "Radiation after lumpectomy", 2021),
                                 ("okafor2020", "Skin care during radiotherapy", 2020),
                                 ("tanaka2022", "Fatigue after breast radiotherapy", 2022)):
            citation = Citation(key=key, title=title, fingerprint=title.lower(), year=year,
                                formatted=f"Doe J. {title}. J Test. {year}.", formatted_html=f"Doe J. {title}. <i>J Test</i>. {year}.",
                                data=json.dumps({"title": title, "authors": [{"family": "Doe", "given": "Jane"}]}))
            db.session.add(citation)
            citations.append(citation)
        db.session.flush()
        writer = db.session.get(User, people["writer"].id)
        article = editing.create_article(writer, title="Radiation after surgery", summary="", topic="Breast cancer",
                                                 body="Radiation lowers the risk [@correa2017]. Skin may redden [@martinez2021].")
        editing.set_citations(writer, article, [citations[0].id, citations[1].id], base_version=1, note="Sources")
        db.session.commit()
        return {"id": article.id, "ids": {c.key: c.id for c in citations}}


def watch_console(page) -> list[str]:
    problems = []
    page.on("console", lambda message: problems.append(f"{message.text} at {message.location}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def editor(page):
    return body_editor(page)


def type_at_end(page, text):
    """Type at the end of the body, as a writer adding a sentence."""
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def revisions(isolated_app, article_id):
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from editorial.core.extensions import db
    from editorial.articles.models import Revision

    with isolated_app.app_context():
        return db.session.scalars(select(Revision).options(selectinload(Revision.citation_links))
                                  .where(Revision.article_id == article_id).order_by(Revision.number)).all()


def test_toolbar_preview_citations_and_one_save(new_context, people, live_server, isolated_app, draft):
    from editorial.articles.rendering import render_body

    writer = page_of(new_context(people["writer"]))
    problems = watch_console(writer)
    writer.goto(f"/articles/{draft['id']}/edit")
    body = editor(writer)
    expect(body).to_be_visible()
    expect(writer.get_by_role("toolbar", name="Formatting")).to_be_visible()

    # The toolbar: a heading on the first line, bold with the shortcut on a typed word.
    body.click()
    writer.keyboard.press("Control+Home")
    writer.get_by_role("button", name="Heading", exact=True).click()
    writer.keyboard.press("Control+End")
    writer.keyboard.type("\n\nKeep the skin ")
    writer.keyboard.press("Control+b")
    writer.keyboard.type("clean")
    writer.keyboard.press("ArrowRight")
    writer.keyboard.press("ArrowRight")
    writer.keyboard.type(" and dry ")
    # `[@` offers the library: choose one, and it joins the reference list.
    writer.keyboard.type("[@oka")
    option = writer.locator(".cm-tooltip-autocomplete li").filter(has_text="okafor2020")
    expect(option).to_be_visible()
    expect(writer.locator(".cm-tooltip-autocomplete")).to_contain_text("Doe 2020")
    option.click()
    writer.keyboard.type(". Ask about [@nobody1999].")
    source = writer.locator("textarea[name=body]")
    expect(source).to_have_value(
        "## Radiation lowers the risk [@correa2017]. Skin may redden [@martinez2021].\n\n"
        "Keep the skin **clean** and dry [@okafor2020]. Ask about [@nobody1999].")
    expect(writer.locator("#references ol.references > li")).to_have_count(3)

    # The preview: what the reader's page renders for this body and this list, unknown key marked.
    expect(writer.locator(".md-unknown")).to_contain_text("[@nobody1999]")
    expect(writer.locator(".md-stats")).to_contain_text("words")
    expect(writer.locator(".md-stats")).to_contain_text("grade")
    expect(writer.locator("#preview sup.cite-missing")).to_have_count(1)
    expected = render_body(source.input_value(), {"correa2017": 1, "martinez2021": 2, "okafor2020": 3}).html
    assert writer.locator("#preview").inner_html() == expected
    shot(writer, "19-editor-preview")

    # Reorder without leaving the form (a re-render that keeps the text), then save once.
    writer.get_by_role("button", name="Move martinez2021 up").click()
    expect(writer.locator("#references ol.references > li").first).to_contain_text("martinez2021")
    expect(source).to_have_value(re.compile(r"Ask about \[@nobody1999\]\.$"))
    writer.get_by_role("button", name="Save as a new revision").click()
    expect(writer.locator(".flashes")).to_contain_text("Saved as version 3.")
    saved = revisions(isolated_app, draft["id"])
    assert len(saved) == 3  # created, sources, and this one save
    ids = draft["ids"]
    assert saved[2].citation_ids == [ids["martinez2021"], ids["correa2017"], ids["okafor2020"]]
    assert saved[2].body.endswith("Ask about [@nobody1999].")
    # The published page renders the same body the same way the preview did (numbering follows the list).
    published = render_body(saved[2].body, {"martinez2021": 1, "correa2017": 2, "okafor2020": 3}).html
    assert writer.locator("#article-body").inner_html().count("cite-missing") == published.count("cite-missing")
    assert not problems, problems


def test_the_unsaved_text_comes_back_after_the_tab_closed(new_context, people, live_server, isolated_app, draft):
    context = new_context(people["writer"])
    writer = page_of(context)
    problems = watch_console(writer)
    writer.goto(f"/articles/{draft['id']}/edit")
    type_at_end(writer, " Drink water.")
    writer.wait_for_timeout(600)  # the draft is kept a moment after the last keystroke
    writer.close(run_before_unload=False)

    again = context.new_page()
    problems += watch_console(again)
    again.goto(f"/articles/{draft['id']}/edit")
    offer = again.get_by_role("alert").filter(has_text="Restore your unsaved text from")
    expect(offer).to_be_visible()
    shot(again, "20-editor-restore")
    offer.get_by_role("button", name="Restore").click()
    expect(again.locator("textarea[name=body]")).to_have_value(re.compile(r"Drink water\.$"))
    # Leaving now asks first.
    messages = []
    again.on("dialog", lambda dialog: (messages.append(dialog.type), dialog.dismiss()))
    again.close(run_before_unload=True)
    again.wait_for_timeout(300)
    assert messages == ["beforeunload"]
    assert len(revisions(isolated_app, draft["id"])) == 2  # nothing saved
    assert not [p for p in problems if "beforeunload" not in p], problems


def test_paste_from_a_word_processor_keeps_structure_not_styles(new_context, people, live_server, draft):
    writer = page_of(new_context(people["writer"]))
    writer.goto(f"/articles/{draft['id']}/edit")
    editor(writer).click()
    writer.keyboard.press("Control+a")
    html = ('<b style="font-weight:normal;" id="docs-internal-guid-1"><h2 style="color:red">After surgery</h2>'
            '<p><span style="font-weight:700">Rest</span> and <span style="font-style:italic">walk</span>.</p>'
            '<ul><li>Water</li><li>Sleep</li></ul></b>')
    writer.evaluate("""html => {
        const data = new DataTransfer(); data.setData('text/html', html); data.setData('text/plain', 'x');
        document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", html)
    value = writer.locator("textarea[name=body]").input_value()
    assert value.startswith("## After surgery")
    assert "**Rest** and *walk*." in value
    assert "-   Water" in value or "- Water" in value
    assert "color" not in value and "style" not in value


def test_without_javascript_the_textarea_and_the_reference_buttons_work(browser, live_server, people, isolated_app, draft):
    from tests.browser.conftest import sign_in

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, people["writer"])
        page.goto(f"/articles/{draft['id']}/edit")
        page.get_by_label("Body (Markdown)").fill("Plain text [@correa2017].")
        page.get_by_role("button", name="Remove martinez2021").click()
        expect(page.get_by_label("Body (Markdown)")).to_have_value("Plain text [@correa2017].")
        page.get_by_role("button", name="Save as a new revision").click()
        expect(page.locator(".flashes")).to_contain_text("Saved as version 3.")
        assert revisions(isolated_app, draft["id"])[2].citation_ids == [draft["ids"]["correa2017"]]
    finally:
        context.close()


def _close_asking(page) -> list[str]:
    """Close the tab as a person would: the messages the page asked before leaving."""
    messages = []
    page.on("dialog", lambda dialog: (messages.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    time.sleep(0.3)
    if not page.is_closed():
        page.close(run_before_unload=False)
    return messages


def _restore(context, article_id):
    again = context.new_page()
    again.goto(f"/articles/{article_id}/edit")
    offer = again.get_by_role("alert").filter(has_text="Restore your unsaved text from")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore").click()
    return again


def test_the_unsaved_text_is_kept_after_a_reference_button(new_context, people, live_server, isolated_app, draft):
    context = new_context(people["writer"])
    writer = page_of(context)
    writer.goto(f"/articles/{draft['id']}/edit")
    type_at_end(writer, " Drink water.")
    writer.get_by_role("button", name="Move martinez2021 up").click()  # re-renders the form with the text
    expect(writer.locator("#references ol.references > li").first).to_contain_text("martinez2021")
    type_at_end(writer, " Rest.")
    writer.wait_for_timeout(600)
    assert any(k.startswith("vetted:draft:") for k in writer.evaluate("() => Object.keys(localStorage)"))
    assert _close_asking(writer) == ["beforeunload"]
    again = _restore(context, draft["id"])
    expect(again.locator("textarea[name=body]")).to_have_value(re.compile(r"Drink water\. Rest\.$"))
    expect(again.locator("#references ol.references > li").first).to_contain_text("martinez2021")
    assert len(revisions(isolated_app, draft["id"])) == 2


def test_a_restore_brings_back_the_reference_list(new_context, people, live_server, isolated_app, draft):
    context = new_context(people["writer"])
    writer = page_of(context)
    writer.goto(f"/articles/{draft['id']}/edit")
    type_at_end(writer, " Moisturise ")
    writer.keyboard.type("[@oka")
    option = writer.locator(".cm-tooltip-autocomplete li").filter(has_text="okafor2020")
    expect(option).to_be_visible()
    option.click()
    expect(writer.locator("#references ol.references > li")).to_have_count(3)
    writer.wait_for_timeout(600)
    writer.close(run_before_unload=False)
    again = _restore(context, draft["id"])
    refs = again.locator("#references ol.references > li")
    expect(refs).to_have_count(3)
    expect(refs.nth(2)).to_contain_text("[@okafor2020]")
    expect(again.locator("#preview sup.cite")).to_have_count(3)
    expect(again.locator(".md-unknown")).to_have_text("")
    again.get_by_role("button", name="Save as a new revision").click()
    expect(again.locator(".flashes")).to_contain_text("Saved as version 3.")
    ids = draft["ids"]
    assert revisions(isolated_app, draft["id"])[2].citation_ids == [ids["correa2017"], ids["martinez2021"], ids["okafor2020"]]


def test_a_change_of_title_or_topic_alone_is_kept_and_warned_about(new_context, people, live_server, isolated_app, draft):
    context = new_context(people["writer"])
    writer = page_of(context)
    writer.goto(f"/articles/{draft['id']}/edit")
    editor(writer)
    writer.get_by_label("Title").fill("Radiation after breast surgery")
    writer.get_by_label("Topic").fill("Radiotherapy")
    writer.wait_for_timeout(600)
    assert _close_asking(writer) == ["beforeunload"]
    again = _restore(context, draft["id"])
    expect(again.get_by_label("Title")).to_have_value("Radiation after breast surgery")
    expect(again.get_by_label("Topic")).to_have_value("Radiotherapy")
    # Back to the saved values: nothing to keep, nothing to ask.
    again.get_by_label("Title").fill("Radiation after surgery")
    again.get_by_label("Topic").fill("Breast cancer")
    again.wait_for_timeout(600)
    assert not any(k.startswith("vetted:draft:") for k in again.evaluate("() => Object.keys(localStorage)"))
    assert _close_asking(again) == []


# Word's clipboard HTML (as Word 365 on Windows puts it), hand-written: list paragraphs carry
# mso-list in their style and their marker in a span of mso-list:Ignore.
WORD_CLIPBOARD = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta charset="utf-8"><meta name=Generator content="Microsoft Word 15"><style><!--
p.MsoNormal {margin:0cm; font-family:"Calibri",sans-serif;}
--></style></head><body lang=EN-GB style='tab-interval:36.0pt'>
<!--StartFragment-->
<h1><span lang=EN-GB>Radiation therapy<o:p></o:p></span></h1>
<p class=MsoNormal><span lang=EN-GB>Most people have <b>a few weeks</b> of treatment, <i>five days a week</i>.<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=EN-GB style='font-family:Symbol'><span style='mso-list:Ignore'>\u00b7<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-GB>Tiredness that builds up<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:72.0pt;mso-add-space:auto;text-indent:-18.0pt;mso-list:l0 level2 lfo1'><![if !supportLists]><span lang=EN-GB style='font-family:"Courier New"'><span style='mso-list:Ignore'>o<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-GB>Worst near the end<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=EN-GB style='font-family:Symbol'><span style='mso-list:Ignore'>\u00b7<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-GB>Skin changes<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span lang=EN-GB><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-GB>Meet your care team<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span lang=EN-GB><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-GB>Plan the treatment<o:p></o:p></span></p>
<p class=MsoNormal style='margin-left:36pt;text-indent:-18.0pt;mso-list:l2 level1 lfo3'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>\u00b7<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>A bullet in Normal style<o:p></o:p></p>
<p class=MsoListBullet style='mso-list:l3 level1 lfo4'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>\u00b7<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span></span><![endif]>A bullet in List Bullet style<o:p></o:p></p>
<!--EndFragment-->
</body></html>"""

GOOGLE_DOCS_CLIPBOARD = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-3a1b2c3d-7fff-1234-abcd-000000000000">'
    '<p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;">'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;font-style:normal;">Call us </span>'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:700;font-style:italic;">at once</span>'
    '<span style="font-size:11pt;font-weight:400;font-style:normal;"> if </span>'
    '<span style="font-size:11pt;font-weight:700;font-style:normal;">fever </span>'
    '<span style="font-size:11pt;font-weight:400;font-style:normal;">starts.</span></p></b>')


def _paste(page, html):
    page.evaluate("""() => window.vettedEditor.dispatch({changes: {from: 0, to: window.vettedEditor.state.doc.length, insert: ''}})""")
    page.evaluate("""html => {
        const data = new DataTransfer(); data.setData('text/html', html); data.setData('text/plain', 'x');
        document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", html)
    return page.locator("textarea[name=body]").input_value()


def test_paste_from_word_keeps_its_lists_and_google_docs_bold_italic(new_context, people, live_server, draft):
    writer = page_of(new_context(people["writer"]))
    writer.goto(f"/articles/{draft['id']}/edit")
    editor(writer).click()
    assert _paste(writer, WORD_CLIPBOARD) == (
        "# Radiation therapy\n\n"
        "Most people have **a few weeks** of treatment, *five days a week*.\n\n"
        "- Tiredness that builds up\n"
        "    - Worst near the end\n"
        "- Skin changes\n\n"
        "1. Meet your care team\n"
        "2. Plan the treatment\n\n"
        "- A bullet in Normal style\n\n"
        "- A bullet in List Bullet style")
    assert _paste(writer, GOOGLE_DOCS_CLIPBOARD) == "Call us ***at once*** if **fever** starts."
