"""Hostile strings never crash validation, keys, formatting or the importers."""
import json
from datetime import date

import pytest

from editorial.citations import (
    Author,
    CitationData,
    ImportFormatError,
    citation_key,
    format_ama,
    format_ama_html,
    normalise_doi,
    normalise_pmid,
    parse,
    title_fingerprint,
    validate,
)
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    lines = shared_path("samples", "naughty", "blns.txt").read_text(encoding="utf-8", errors="replace").split("\n")
    return [line for line in lines if line and not line.startswith("#")]


def _try_import(fmt: str, text: str) -> None:
    try:
        result = parse(fmt, text)
    except ImportFormatError as exc:
        assert exc.message
        return
    for record in result.records:
        assert record.ok or record.errors
        if record.data:
            format_ama_html(record.data)


def test_every_function_survives_every_string(naughty):
    for s in naughty:
        data = CitationData(type="webpage", title=s, authors=[Author(s, s)], org_author=s, container_title=s, year=2020,
                            volume=s, issue=s, pages=s, doi=s, pmid=s, url=s, publisher=s, edition=s, accessed=date(2024, 1, 1))
        assert isinstance(validate(data), dict)
        for kind in ("article-journal", "book", "webpage", "consensus-statement"):
            data.type = kind
            format_ama(data)
            html_out = format_ama_html(data)
            assert "<script" not in html_out.lower()
        citation_key(data, {"x"})
        title_fingerprint(s, None)
        for normaliser in (normalise_doi, normalise_pmid):
            try:
                normaliser(s)
            except ValueError:
                pass


def test_importers_survive_hostile_values(naughty):
    for s in naughty:
        _try_import("ris", f"TY  - JOUR\nAU  - {s}\nTI  - {s}\nJO  - {s}\nPY  - {s}\nDO  - {s}\nER  - \n")
        _try_import("nbib", f"PMID- {s}\nTI  - {s}\nFAU - {s}\nDP  - {s}\n")
        _try_import("bibtex", f"@article{{k, author = {{{s}}}, title = {{{s}}}, year = {{{s}}}}}")
        _try_import("csl-json", json.dumps({"type": s, "title": s, "author": [{"family": s}], "issued": {"date-parts": [[s]]}}))
        for fmt in ("ris", "nbib", "bibtex", "csl-json"):
            _try_import(fmt, s)


def test_whole_naughty_file_as_each_format():
    text = shared_path("samples", "naughty", "blns.txt").read_bytes()
    for fmt in ("ris", "nbib", "bibtex", "csl-json"):
        _try_import(fmt, text)


def test_odd_json_shapes():
    for text in ["[]", "{}", "null", "3", '"x"', "[[[]]]", "[" * 5000 + "]" * 5000,
                 '{"title": {"nested": 1}, "author": "Smith", "issued": {"date-parts": "2019"}}']:
        _try_import("csl-json", text)
