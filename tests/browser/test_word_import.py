"""A writer starts an article from a Word file in headless Chromium, then tries a PDF and
replaces the text from a second Word file."""
from __future__ import annotations

try:
    from playwright.sync_api import expect
except ImportError:  # the _chromium_available fixture skips these tests (or fails them in CI)
    expect = None

from tests.browser.conftest import page_of, shot
from tests.word_files import patient_leaflet


def test_a_writer_starts_an_article_from_a_word_file(new_context, people, live_server, tmp_path):
    leaflet = tmp_path / "radiation-leaflet.docx"
    leaflet.write_bytes(patient_leaflet())
    page = page_of(new_context(people["writer"]))
    page.goto("/articles/new")
    page.get_by_label("Start from a Word file").set_input_files(str(leaflet))
    page.get_by_role("button", name="Create draft").click()

    expect(page.locator(".flashes")).to_contain_text(
        "Draft created from radiation-leaflet.docx. 2 images and 1 comment were not imported.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Radiation therapy after breast surgery")
    expect(page.get_by_role("heading", name="What to expect")).to_be_visible()
    expect(page.locator("strong", has_text="a few weeks")).to_be_visible()
    expect(page.get_by_role("link", name="the cancer society")).to_have_attribute("href", "https://www.cancer.org/treatment.html")
    expect(page.get_by_role("cell", name="Planning scan")).to_be_visible()
    shot(page, "word-import-new-article")

    second = tmp_path / "second.pdf"
    second.write_bytes(b"%PDF-1.7 not a Word file")
    page.get_by_role("link", name="Replace the text from a Word file").click()
    page.get_by_label("Word file (.docx)").set_input_files(str(second))
    page.get_by_role("button", name="Replace the text").click()
    expect(page.locator("#word_file-error")).to_contain_text("This is not a Word file")

    revised = tmp_path / "revised.docx"
    revised.write_bytes(patient_leaflet(images=0, comments=0))
    page.get_by_label("Word file (.docx)").set_input_files(str(revised))
    page.get_by_label("Why the text is replaced").fill("Text from the reviewed Word file.")
    page.get_by_role("button", name="Replace the text").click()
    expect(page.locator(".flashes")).to_contain_text("Saved as version 2: the text now comes from revised.docx.")
