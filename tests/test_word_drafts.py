"""Drafts from Word: a .docx (built with python-docx) as a new article or a new revision."""
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.articles.models import Article, Revision
from editorial.audit.models import AuditEvent
from editorial.articles.word_import import NotAWordFile, docx_to_markdown
from tests.word_files import patient_leaflet

LEAFLET_BODY = """Most people have **a few weeks** of treatment, *five days a week*.

## What to expect

- Tiredness that builds up
- Skin changes where you are treated

1. Meet your care team
2. Plan the treatment

Read more at [the cancer society](https://www.cancer.org/treatment.html).

| Week | What happens |
| --- | --- |
| 1 | Planning scan |
| 2-5 | Daily treatment |

Ask your team about anything that worries you.
"""


def page(response) -> str:
    return response.get_data(as_text=True)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return db.session.scalar(select(func.count(Article.id))), db.session.scalar(select(func.count(Revision.id)))


def upload(raw: bytes, name: str = "leaflet.docx"):
    return io.BytesIO(raw), name


def test_headings_emphasis_lists_links_and_tables_become_markdown():
    draft = docx_to_markdown(patient_leaflet())
    assert draft.title == "Radiation therapy after breast surgery"
    assert draft.markdown == "# Radiation therapy after breast surgery\n\n" + LEAFLET_BODY
    assert draft.without_title() == LEAFLET_BODY
    assert (draft.images, draft.comments) == (2, 1)
    assert draft.not_imported == "2 images and 1 comment were not imported."
    assert draft.other_warnings == []  # Word's style names are not worth a warning


WORD_PROCESSOR_FILE = Path(__file__).parent / "fixtures" / "word" / "saved-by-libreoffice-writer.docx"


def test_a_file_saved_by_a_word_processor_becomes_markdown():
    """Not python-docx's output but LibreOffice Writer's (tests/fixtures/word/README.md)."""
    draft = docx_to_markdown(WORD_PROCESSOR_FILE.read_bytes())
    assert draft.title == "Side effects of radiation to the breast"
    assert draft.without_title() == """Most side effects start in the **second week** and fade *a few weeks* after treatment.

## What you may notice

- Skin that looks pink or sunburnt
- Tiredness

1. Wash with mild soap
2. Tell your nurse about blisters

More help: [skin care during treatment](https://www.example.org/skin-care).

| Week | What to do |
| --- | --- |
| 1 | Moisturise twice a day |
"""
    assert (draft.images, draft.comments, draft.not_imported) == (0, 0, "")


def test_the_report_counts_in_words():
    assert docx_to_markdown(patient_leaflet(images=1, comments=0)).not_imported == "1 image was not imported."
    assert docx_to_markdown(patient_leaflet(images=0, comments=3)).not_imported == "3 comments were not imported."
    assert docx_to_markdown(patient_leaflet(images=0, comments=0)).not_imported == ""


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("raw, message", [
    (b"", "The file is empty."),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "This is not a Word file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "This is not a Word file"),  # an old .doc
    (_zip({"mimetype": b"application/epub+zip", "content.opf": b"<package/>"}), "it has no document text"),
    (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<not xml"}), "could not be read: it may be damaged"),
    (patient_leaflet()[:3000], "This is not a Word file"),  # cut short in the download
])
def test_a_file_that_is_no_word_document_is_refused_with_a_reason(raw, message):
    with pytest.raises(NotAWordFile, match=message):
        docx_to_markdown(raw)


def test_a_file_past_the_size_limit_is_refused():
    with pytest.raises(NotAWordFile, match="larger than 9 KB"):
        docx_to_markdown(patient_leaflet(), max_bytes=10_000)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/huge.bin", b"\x00" * (70 * 1024 * 1024))
    with pytest.raises(NotAWordFile, match="too large to import once unpacked"):
        docx_to_markdown(out.getvalue())


def test_a_writer_starts_an_article_from_a_word_file(client, login, newsroom, app):
    login(newsroom.writer)
    form = page(client.get("/articles/new"))
    assert 'enctype="multipart/form-data"' in form and "Start from a Word file" in form
    response = client.post("/articles/new", data={"title": "", "topic": "Breast cancer", "word_file": upload(patient_leaflet())},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    detail = page(client.get(response.headers["Location"]))
    assert "Draft created from leaflet.docx. 2 images and 1 comment were not imported." in detail
    assert "<strong>a few weeks</strong>" in detail and "<table>" in detail and "<h2>What to expect</h2>" in detail
    with app.app_context():
        article = db.session.scalars(select(Article).order_by(Article.id.desc())).first()
        revision = db.session.scalars(select(Revision).where(Revision.article_id == article.id)).one()
        assert article.title == "Radiation therapy after breast surgery" and revision.body == LEAFLET_BODY
        assert revision.topic == "Breast cancer"


def test_a_typed_title_is_kept_and_the_first_heading_stays_in_the_body(client, login, newsroom, app):
    login(newsroom.writer)
    response = client.post("/articles/new", data={"title": "After surgery", "word_file": upload(patient_leaflet())},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        article = db.session.scalars(select(Article).order_by(Article.id.desc())).first()
        assert article.title == "After surgery"
        assert db.session.scalars(select(Revision.body).where(Revision.article_id == article.id)).one().startswith("# Radiation")


@pytest.mark.parametrize("raw, name, message", [
    (b"%PDF-1.7 binary", "leaflet.docx", "This is not a Word file"),
    (b"", "empty.docx", "The file is empty."),
    (_zip({"readme.txt": b"hello"}), "archive.docx", "it has no document text"),
])
def test_a_bad_word_file_is_a_field_error_and_creates_nothing(client, login, newsroom, app, raw, name, message):
    login(newsroom.writer)
    before = counts(app)
    response = client.post("/articles/new", data={"title": "Kept", "word_file": upload(raw, name)},
                           content_type="multipart/form-data")
    html = page(response)
    assert response.status_code == 422 and 'id="word_file-error">' in html and message in html
    assert 'value="Kept"' in html and counts(app) == before


def test_a_word_file_past_the_limit_is_a_field_error_not_a_bare_413(client, login, newsroom, app, monkeypatch):
    monkeypatch.setitem(app.config, "WORD_IMPORT_MAX_BYTES", 2 * 1024 * 1024)  # as large as any other request
    login(newsroom.writer)
    before = counts(app)
    huge = patient_leaflet() + b"\x00" * (2 * 1024 * 1024)
    response = client.post("/articles/new", data={"title": "Big", "word_file": upload(huge)}, content_type="multipart/form-data")
    assert response.status_code == 422 and "The file is larger than 2 MB" in page(response)
    assert counts(app) == before
    other = client.post("/citations/import", data={"text": "x" * (3 * 1024 * 1024)})
    assert other.status_code == 413  # the raised limit is the Word pages' only


def test_a_writer_replaces_a_drafts_text_from_a_word_file(client, login, newsroom, app):
    article = newsroom.create(body="Old text [@tom2019].")
    newsroom.attach(article["id"])
    login(newsroom.writer)
    edit = page(client.get(f"/articles/{article['id']}/edit"))
    assert "Replace the text from a Word file" in edit and f'action="/articles/{article["id"]}/word"' in edit
    assert "Replace the text from a Word file" in page(client.get(f"/articles/{article['id']}"))
    version = newsroom.article(article["id"])["version"]
    response = client.post(f"/articles/{article['id']}/word", data={
        "base_version": str(version), "note": "", "word_file": upload(patient_leaflet(images=1, comments=0), "v2.docx"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    detail = page(client.get(response.headers["Location"]))
    assert f"Saved as version {version + 1}: the text now comes from v2.docx. 1 image was not imported." in detail
    after = newsroom.article(article["id"])
    assert after["version"] == version + 1 and after["title"] == article["title"]
    assert [c["key"] for c in after["citations"]] == ["tom2019"]  # the references stay
    with app.app_context():
        revision = db.session.scalars(select(Revision).where(Revision.article_id == article["id"])
                                      .order_by(Revision.number.desc())).first()
        assert revision.body.startswith("# Radiation therapy") and revision.note == "Text replaced from the Word file v2.docx."


def test_replacing_from_a_bad_file_or_a_stale_version_changes_nothing(client, login, newsroom, app):
    article = newsroom.create(body="Old text.")
    login(newsroom.writer)
    before = counts(app)
    bad = client.post(f"/articles/{article['id']}/word", data={"base_version": "1", "word_file": upload(b"PK\x03\x04junk")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "This is not a Word file" in page(bad) and "Old text." in page(bad)
    none = client.post(f"/articles/{article['id']}/word", data={"base_version": "1"}, content_type="multipart/form-data")
    assert none.status_code == 422 and "Choose a Word file (.docx)." in page(none)
    newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, {"base_version": 1, "body": "Someone else's."})
    stale = client.post(f"/articles/{article['id']}/word", data={"base_version": "1", "word_file": upload(patient_leaflet())},
                        content_type="multipart/form-data")
    assert stale.status_code == 422 and "version" in page(stale).lower()
    assert counts(app) == (before[0], before[1] + 1)  # only the other writer's edit


def test_only_those_who_may_edit_can_replace_the_text(client, login, newsroom, app):
    article = newsroom.create(body="Old text.")
    login(newsroom.reviewer)
    response = client.post(f"/articles/{article['id']}/word", data={"base_version": "1", "word_file": upload(patient_leaflet())},
                           content_type="multipart/form-data")
    assert response.status_code in (403, 404)
