"""Importing without choosing the format: it is told from the content, else the file name."""
import io

import pytest

from editorial.citations import ImportFormatError, detect_format
from tests.conftest import SHARED
from tests.test_citation_library import RIS
from tests.test_citation_lookup import RECORDED

SAMPLES = sorted((SHARED / "samples" / "citations").glob("*/*"))  # none (skipped) where ../shared is absent
FOLDER_FORMAT = {"ris": "ris", "bibtex": "bibtex", "nbib": "nbib", "csl-json": "csl-json"}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_real_export_is_recognised_from_its_content_alone(path):
    assert detect_format(path.read_bytes()) == FOLDER_FORMAT[path.parent.name]


def test_content_wins_over_a_misleading_name_and_the_name_decides_when_content_cannot():
    assert detect_format(RIS, "references.bib") == "ris"
    assert detect_format("  \n% a BibTeX comment\n@article{k, title={T}}", "x.txt") == "bibtex"
    assert detect_format("not much here", "library.nbib") == "nbib"
    with pytest.raises(ImportFormatError, match="not a citation export"):
        detect_format("Dear colleague, here are my references.", "notes.txt")
    with pytest.raises(ImportFormatError, match="binary"):
        detect_format(b"%PDF-1.7\x00\x01", "paper.ris")


def test_the_page_detects_the_format_by_default(client, login, newsroom):
    login(newsroom.writer)
    form = client.get("/citations/import").get_data(as_text=True)
    assert '<option selected value="">Detect from the file</option>' in form
    pasted = client.post("/citations/import", data={"format": "", "text": RIS}).get_data(as_text=True)
    assert "1</strong> added" in pasted
    nbib = (RECORDED / "efetch-33301246.medline").read_bytes()
    uploaded = client.post("/citations/import", data={"file": (io.BytesIO(nbib), "pubmed-export.txt")},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "1</strong> added" in uploaded


def test_an_unreadable_file_gets_its_error_beside_the_file_and_keeps_the_pasted_text(client, login, newsroom, app):
    from tests.test_citation_lookup import count

    login(newsroom.writer)
    before = count(app)
    response = client.post("/citations/import", data={
        "text": "TY  - JOUR\nTI  - Kept as typed\nER  -\n",
        "file": (io.BytesIO(b"%PDF-1.7\x00\x00binary"), "paper.pdf"),
    }, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="field-error" id="file-error">This looks like a binary file, not a citation export.</p>' in page
    assert "TI  - Kept as typed" in page and count(app) == before
    words = client.post("/citations/import", data={"file": (io.BytesIO(b"Just some notes."), "notes.txt")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="file-error">This is not a citation export we can read' in words


def test_a_chosen_format_is_still_obeyed(client, login, newsroom):
    login(newsroom.writer)
    response = client.post("/citations/import", data={"format": "bibtex", "text": RIS})
    assert response.status_code == 422 and 'id="text-error"' in response.get_data(as_text=True)
