"""Writing as a medical writer writes (#19), in one journey in headless Chromium: a draft from a Word
file, the editor's toolbar, two sources cited by typing `[@`, a third added by its PMID (PubMed's
answer recorded in tests/fixtures/lookup), the references reordered and everything saved at once
(one new revision), the preview equal to the reader's rendering, and the unsaved text offered back
after the tab was closed."""
from __future__ import annotations

import json
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the _chromium_available fixture skips these tests (or fails them in CI)
    expect = None

from tests.browser.conftest import body_editor, page_of, shot
from tests.browser.test_editor import revisions, watch_console
from tests.word_files import patient_leaflet


@pytest.fixture
def library(isolated_app):
    """Two sources in the library, and PubMed answering from the recorded fixture."""
    from editorial.core.extensions import db
    from editorial.citations.models import Citation
    from tests.test_citation_lookup import recorded

    isolated_app.config["CITATION_LOOKUP_FETCH"] = recorded()
    with isolated_app.app_context():
        for key, title, year in (("correa2017", "Partial breast irradiation consensus", 2017),
                                 ("okafor2020", "Skin care during radiotherapy", 2020)):
            db.session.add(Citation(key=key, title=title, fingerprint=title.lower(), year=year,
                                    formatted=f"Doe J. {title}. J Test. {year}.",
                                    formatted_html=f"Doe J. {title}. <i>J Test</i>. {year}.",
                                    data=json.dumps({"title": title, "authors": [{"family": "Doe", "given": "Jane"}]})))
        db.session.commit()


def _cite(page, typed: str, key: str):
    page.keyboard.type(typed)
    option = page.locator(".cm-tooltip-autocomplete li").filter(has_text=key)
    expect(option).to_be_visible()
    option.click()


def test_a_writer_drafts_from_word_cites_by_typing_and_by_pmid_and_saves_once(
        new_context, people, live_server, isolated_app, library, tmp_path):
    from editorial.articles.rendering import render_body

    context = new_context(people["writer"])
    writer = page_of(context)
    problems = watch_console(writer)

    # A third source, added by its PMID: fetched, shown, saved on confirmation.
    writer.goto("/citations/lookup")
    writer.get_by_label("DOI or PMID").fill("https://pubmed.ncbi.nlm.nih.gov/33301246/")
    writer.get_by_role("button", name="Fetch the record").click()
    expect(writer.locator("main")).to_contain_text("Safety and Efficacy of the BNT162b2 mRNA Covid-19 Vaccine")
    writer.get_by_role("button", name="Save to the library").click()
    added = writer.locator(".flashes").inner_text()
    pmid_key = re.search(r"Added as \[@([\w-]+)\]", added).group(1)

    # The draft comes from a Word file.
    leaflet = tmp_path / "radiation-leaflet.docx"
    leaflet.write_bytes(patient_leaflet())
    writer.goto("/articles/new")
    writer.get_by_label("Start from a Word file").set_input_files(str(leaflet))
    writer.get_by_role("button", name="Create draft").click()
    expect(writer.locator(".flashes")).to_contain_text("Draft created from radiation-leaflet.docx.")
    article_id = int(re.search(r"/articles/(\d+)", writer.url).group(1))
    before = len(revisions(isolated_app, article_id))

    # The editor: bold from the toolbar, two sources cited by typing [@, the third from the library search.
    writer.goto(f"/articles/{article_id}/edit")
    body = body_editor(writer)
    body.click()
    writer.keyboard.press("Control+End")
    writer.keyboard.type("\n\nKeep the skin ")
    writer.get_by_role("button", name="Bold", exact=True).click()
    writer.keyboard.type("clean")
    writer.keyboard.press("ArrowRight")
    writer.keyboard.press("ArrowRight")
    writer.keyboard.type(" ")
    _cite(writer, "[@oka", "okafor2020")
    writer.keyboard.type(". Partial irradiation suits some people ")
    _cite(writer, "[@corr", "correa2017")
    writer.keyboard.type(f". Vaccines are safe during treatment [@{pmid_key}")
    writer.keyboard.press("Escape")  # typed in full: not in the list yet, so the preview marks it
    writer.keyboard.type("].")
    expect(writer.locator("#preview sup.cite-missing")).to_have_count(1)
    source = writer.locator("textarea[name=body]")
    expect(source).to_have_value(re.compile(r"Keep the skin \*\*clean\*\* \[@okafor2020\]\. .*\[@correa2017\]\. .*\[@"
                                            + re.escape(pmid_key) + r"\]\.$", re.S))
    refs = writer.locator("#references ol.references > li")
    expect(refs).to_have_count(2)
    # The third from the library search, in the form: the page comes back with the typed text kept.
    writer.get_by_label("Find in the citation library").fill(pmid_key)
    writer.get_by_role("button", name="Search", exact=True).click()
    writer.get_by_role("button", name=f"Attach {pmid_key}").click()
    expect(refs).to_have_count(3)
    expect(source).to_have_value(re.compile(re.escape(f"[@{pmid_key}].") + "$"))

    # Reordered without leaving the form; the preview is what the reader's page renders.
    writer.get_by_role("button", name="Move correa2017 up").click()
    expect(refs.first).to_contain_text("correa2017")
    order = {"correa2017": 1, "okafor2020": 2, pmid_key: 3}
    expect(writer.locator("#preview sup.cite")).to_have_count(3)
    assert writer.locator("#preview").inner_html() == render_body(source.input_value(), order).html
    shot(writer, "writing-journey-editor")

    # Saved once: one new revision with the new text and the new list.
    writer.get_by_label("Change note").fill("Skin care, and three sources.")
    writer.get_by_role("button", name="Save as a new revision").click()
    expect(writer.locator(".flashes")).to_contain_text("Saved as version")
    saved = revisions(isolated_app, article_id)
    assert len(saved) == before + 1
    assert saved[-1].body.endswith(f"[@{pmid_key}].")
    assert len(saved[-1].citation_ids) == 3

    # Unsaved text survives a closed tab.
    writer.goto(f"/articles/{article_id}/edit")
    body_editor(writer).click()
    writer.keyboard.press("Control+End")
    writer.keyboard.type(" Drink water.")
    writer.wait_for_timeout(600)  # the draft is kept a moment after the last keystroke
    writer.close(run_before_unload=False)
    again = context.new_page()
    again.goto(f"/articles/{article_id}/edit")
    offer = again.get_by_role("alert").filter(has_text="Restore your unsaved text from")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore").click()
    expect(again.locator("textarea[name=body]")).to_have_value(re.compile(r"Drink water\.$"))
    assert len(revisions(isolated_app, article_id)) == before + 1  # nothing more was saved
    assert not problems, problems
