"""Retraction checks: the Crossref source on recorded responses (no network), the worker command,
the Retraction Watch CSV, the submit gate, and the dashboard query of live pages citing retractions.

HTTP is replaced by a `fetch` callable: passed to CrossrefRetractionSource directly, or put in
app.config["RETRACTION_FETCH"] (with monkeypatch) for the CLI.
"""
import io
import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from editorial.core.errors import PermissionDenied, ValidationError
from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.citations.models import Citation
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.citations.retractions import CROSSREF_WORKS, CrossrefRetractionSource, RetractionWatchCsv
from editorial.citations.retraction_checks import (
    check_library,
    load_retraction_watch,
    mark_retracted,
    published_articles_citing_retracted,
)

RECORDED = Path(__file__).parent / "fixtures" / "crossref"
RETRACTED = "10.1016/s0140-6736(20)31180-6"
CORRECTED = "10.5555/jto.2021.0042"
MISSING = "10.5555/no-such-work"
MALFORMED = "10.5555/garbled"


def recorded_fetch(calls: list | None = None, *, fail_all: bool = False):
    """A fetch that answers from tests/fixtures/crossref, as Crossref would."""
    answers = {
        RETRACTED: (200, (RECORDED / "retracted.json").read_bytes()),
        CORRECTED: (200, (RECORDED / "corrected.json").read_bytes()),
        MALFORMED: (200, (RECORDED / "retracted.json").read_bytes()[:300]),  # cut off mid-body
    }

    def fetch(url, headers, timeout):
        doi = unquote(url.removeprefix(CROSSREF_WORKS))
        if calls is not None:
            calls.append((doi, headers, timeout))
        if fail_all:
            raise TimeoutError("timed out")
        return answers.get(doi, (404, b"Resource not found."))

    return fetch


def source(**kwargs) -> CrossrefRetractionSource:
    return CrossrefRetractionSource(min_interval=0, **kwargs)


def library(make_citation):
    return {doi: make_citation(doi=doi) for doi in (RETRACTED, CORRECTED, MISSING, MALFORMED)}


def retraction_events(app) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "citation.retracted")).all()


# --- the Crossref source ----------------------------------------------------------------

def test_crossref_reads_updated_by_retractions_and_counts_failures_as_errors():
    calls = []
    result = source(fetch=recorded_fetch(calls), mailto="desk@vetted.example", timeout=3).check(
        [RETRACTED, CORRECTED, MISSING, MALFORMED])
    notice = result.retracted[RETRACTED]
    assert (notice.retracted_on, notice.notice_doi, notice.source) == (
        date(2020, 6, 5), "10.1016/s0140-6736(20)31324-6", "crossref")
    assert "doi:10.1016/s0140-6736(20)31324-6" in notice.note
    assert list(result.retracted) == [RETRACTED]  # a correction or an expression of concern is not a retraction
    assert set(result.errors) == {MISSING, MALFORMED}
    assert "404" in result.errors[MISSING] and "malformed" in result.errors[MALFORMED]
    _, headers, timeout = calls[0]
    assert "mailto:desk@vetted.example" in headers["User-Agent"] and timeout == 3


def test_crossref_survives_timeouts_odd_shapes_and_server_errors():
    def fetch(url, headers, timeout):
        doi = unquote(url.removeprefix(CROSSREF_WORKS))
        if doi.endswith("timeout"):
            raise TimeoutError("timed out")
        return {"10.5555/shape": (200, b'{"status": "ok", "message": "not a work"}'),
                "10.5555/list": (200, b'{"message": {"updated-by": {"type": "retraction"}}}'),
                "10.5555/busy": (429, b""),
                # a retraction notice points at what it retracts; citing the notice is fine
                "10.5555/notice": (200, b'{"message": {"update-to": [{"type": "retraction", "DOI": "10.5555/x"}]}}'),
                }.get(doi, (500, b""))

    dois = ["10.5555/timeout", "10.5555/shape", "10.5555/list", "10.5555/busy", "10.5555/down"]
    result = source(fetch=fetch).check([*dois, "10.5555/notice"])
    assert result.retracted == {} and set(result.errors) == set(dois)
    assert "HTTP 429" in result.errors["10.5555/busy"]


def test_crossref_url_escapes_doi_characters_and_paces_requests():
    pauses = []
    crossref = CrossrefRetractionSource(fetch=recorded_fetch(), min_interval=0.2, sleep=pauses.append)
    assert crossref.url_for("10.1002/(sici)1097<1::aid>3.0.co;2-#") == \
        CROSSREF_WORKS + "10.1002/(sici)1097%3C1::aid%3E3.0.co;2-%23"
    crossref.check([RETRACTED, CORRECTED, MISSING])
    assert pauses == [0.2, 0.2]


# --- the worker ---------------------------------------------------------------------------

def test_check_library_flags_newly_retracted_sources_once(app, make_citation):
    cited = library(make_citation)
    already = make_citation(doi="10.5555/already", retracted=True)
    make_citation(key="nodoi")  # nothing to look up
    calls = []
    with app.app_context():
        report = check_library(source(fetch=recorded_fetch(calls)), batch=2)
        db.session.commit()
    assert report.flagged == [cited[RETRACTED].key]
    assert (report.checked, set(report.errors)) == (2, {MISSING, MALFORMED})
    assert already.doi not in [doi for doi, *_ in calls]
    with app.app_context():
        flagged = db.session.get(Citation, cited[RETRACTED].id)
        assert flagged.retracted and flagged.retracted_at == date(2020, 6, 5)
        assert "Crossref" in flagged.retraction_note
    [event] = retraction_events(app)
    assert event.actor_id is None and event.object_id == str(cited[RETRACTED].id)
    assert json.loads(event.detail)["source"] == "crossref"

    calls.clear()
    with app.app_context():
        again = check_library(source(fetch=recorded_fetch(calls)))
    assert again.flagged == [] and RETRACTED not in [doi for doi, *_ in calls]
    assert len(retraction_events(app)) == 1


def test_check_library_as_actor_needs_an_editor(app, make_user):
    writer = make_user("writer")
    with app.app_context(), pytest.raises(PermissionDenied):
        check_library(source(fetch=recorded_fetch()), db.session.get(User, writer.id))


def test_check_retractions_command(runner, app, make_citation, monkeypatch):
    cited = library(make_citation)
    monkeypatch.setitem(app.config, "RETRACTION_FETCH", recorded_fetch())
    result = runner.invoke(args=["citations", "check-retractions", "--source", "crossref"])
    assert result.exit_code == 0, result.output
    assert "Checked 2, flagged 1, errors 2." in result.output
    assert f"[@{cited[RETRACTED].key}]" in result.output
    assert MISSING in result.stderr
    again = runner.invoke(args=["citations", "check-retractions"])
    assert "flagged 0" in again.output


def test_check_retractions_command_fails_when_nothing_could_be_checked(runner, app, make_citation, monkeypatch):
    library(make_citation)
    monkeypatch.setitem(app.config, "RETRACTION_FETCH", recorded_fetch(fail_all=True))
    result = runner.invoke(args=["citations", "check-retractions"])
    assert result.exit_code == 1
    assert "Checked 0, flagged 0, errors 4." in result.output


# --- Retraction Watch CSV -----------------------------------------------------------------

RW_HEADER = ("Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,RetractionDate,"
             "RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,OriginalPaperPubMedID,"
             "RetractionNature,Reason,Paywalled,Notes,ExtraColumn")


def rw_row(title, *, doi="", pmid="0", nature="Retraction", when="1/31/2020 0:00", notice="10.5555/notice",
           reason="+Concerns/Issues About Data;+Fake Peer Review;"):
    return (f'1,"{title}",(HSC) Medicine - Oncology;,Somewhere,J Test,Publisher,USA,A Author,,Research Article;,'
            f'{when},{notice},0,3/1/2019 0:00,{doi},{pmid},{nature},"{reason}",No,,x')


def rw_csv(make_citation) -> tuple[bytes, dict]:
    cited = {
        "by_doi": make_citation(doi="10.5555/rw.doi"),
        "by_pmid": make_citation(pmid="31234567"),
        "corrected": make_citation(doi="10.5555/rw.corrected"),
        "bystander": make_citation(doi="10.5555/rw.fine"),
    }
    rows = [
        RW_HEADER,
        rw_row("Flagged by DOI", doi="https://doi.org/10.5555/RW.DOI"),
        rw_row("Only corrected", doi="10.5555/rw.corrected", nature="Correction"),
        rw_row("Concern", doi="10.5555/rw.fine", nature="Expression of concern"),
        rw_row("No identifiers", doi="unavailable", pmid="0"),
        rw_row("PMID only, odd date", doi="Unavailable", pmid="31234567", when="sometime", notice=""),
        rw_row("Not in the library", doi="10.5555/elsewhere", pmid="39999999"),
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8-sig"), cited


def test_retraction_watch_reader_keeps_only_usable_retractions():
    data = ("\ufeff" + "\n".join([RW_HEADER, rw_row("A", doi="10.5555/a"), rw_row("B", nature="Correction", doi="10.5555/b"),
                                  rw_row("C", doi="0"), rw_row("D", pmid="123", when="2/29/2021 0:00"),
                                  rw_row("Huge", doi="10.5555/huge", reason="x" * 200_000)]))
    reader = RetractionWatchCsv(io.StringIO(data))
    notices = list(reader)
    assert [(n.doi, n.pmid, n.retracted_on) for n in notices] == [("10.5555/a", None, date(2020, 1, 31)), (None, "123", None)]
    assert "Fake Peer Review" in notices[0].note and "doi:10.5555/notice" in notices[0].note
    assert (reader.rows, reader.other_nature, reader.unusable) == (5, 1, 2)  # csv refuses the huge field


def test_load_retraction_watch_matches_doi_and_pmid_and_is_idempotent(app, make_citation, tmp_path, make_user):
    data, cited = rw_csv(make_citation)
    path = tmp_path / "retraction_watch.csv"
    path.write_bytes(data)
    editor = make_user("editor")
    with app.app_context():
        report = load_retraction_watch(path, db.session.get(User, editor.id), batch=2)
        db.session.commit()
    assert sorted(report.flagged) == sorted([cited["by_doi"].key, cited["by_pmid"].key])
    assert (report.checked, report.skipped) == (3, 3)
    with app.app_context():
        by_doi = db.session.get(Citation, cited["by_doi"].id)
        by_pmid = db.session.get(Citation, cited["by_pmid"].id)
        assert by_doi.retracted_at == date(2020, 1, 31) and "Retraction Watch" in by_doi.retraction_note
        assert by_pmid.retracted_at == utcnow().date()  # unreadable date: the day it was flagged
        assert not db.session.get(Citation, cited["corrected"].id).retracted
        assert not db.session.get(Citation, cited["bystander"].id).retracted
    events = retraction_events(app)
    assert {e.actor_id for e in events} == {editor.id}
    assert {json.loads(e.detail)["source"] for e in events} == {"retraction-watch"}

    with app.app_context():
        again = load_retraction_watch(io.BytesIO(data), None)
    assert again.flagged == [] and len(retraction_events(app)) == 2


def test_load_retraction_watch_refuses_writers_and_other_files(app, make_user):
    writer = make_user("writer")
    with app.app_context():
        with pytest.raises(PermissionDenied):
            load_retraction_watch(io.BytesIO(b""), db.session.get(User, writer.id))
        with pytest.raises(ValidationError, match="Retraction Watch"):
            load_retraction_watch(io.BytesIO(b"DOI,Title\n10.5555/x,Hello\n"), None)


def test_load_retraction_watch_command(runner, make_citation, tmp_path):
    data, cited = rw_csv(make_citation)
    path = tmp_path / "rw.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["citations", "load-retraction-watch", str(path)])
    assert result.exit_code == 0, result.output
    assert "flagged 2" in result.output and f"[@{cited['by_pmid'].key}]" in result.output
    wrong = tmp_path / "other.csv"
    wrong.write_text("DOI,Title\n")
    refused = runner.invoke(args=["citations", "load-retraction-watch", str(wrong)])
    assert refused.exit_code == 1 and "Retraction Watch" in refused.output


# --- the gate and the dashboard -----------------------------------------------------------

def test_a_source_flagged_by_the_checker_blocks_submit(newsroom, app):
    n = newsroom
    cited = n.make_citation(key="mehra2020", doi=RETRACTED)
    article = n.create(body="Body text [@mehra2020].")
    n.attach(article["id"], cited.id)
    assert n.assign(article["id"], n.reviewer).status_code == 201
    with app.app_context():
        check_library(source(fetch=recorded_fetch()))
        db.session.commit()
    refused = n.act(article["id"], n.writer, "submit")
    assert refused.status_code == 422 and "retracted" in refused.json["error"]["message"]


def test_published_articles_citing_retracted(newsroom, app, count_queries):
    n = newsroom
    with app.app_context():
        assert published_articles_citing_retracted() == []
    published = [n.published()["id"] for _ in range(3)]
    unrelated = n.create(title="Unrelated draft")  # not live: never listed
    n.attach(unrelated["id"])
    with app.app_context():
        db.session.get(Citation, n.citation.id).doi = RETRACTED
        db.session.commit()
        assert published_articles_citing_retracted() == []  # not flagged yet
        assert check_library(source(fetch=recorded_fetch())).flagged == [n.citation.key]
        db.session.commit()
    with app.app_context(), count_queries() as queries:
        found = published_articles_citing_retracted()
        assert [(f.article.id, [c.key for c in f.citations]) for f in found] == [(i, ["tom2019"]) for i in reversed(published)]
        assert found[0].article.author.name == "Wanda Writer"  # loaded with the article
    # retracted citations, live revisions, articles + their authors' roles, and the test's savepoint
    assert queries.count <= 5
    with app.app_context():
        assert [f.article.id for f in published_articles_citing_retracted(limit=2)] == published[:0:-1]


def test_mark_retracted_is_the_one_write_path(app, make_citation, make_user):
    cited = make_citation()
    editor, writer = make_user("editor"), make_user("writer")
    with app.app_context():
        citation = db.session.get(Citation, cited.id)
        with pytest.raises(PermissionDenied):
            mark_retracted(citation, actor=db.session.get(User, writer.id), note="x", retracted_on=None, source="editor")
        assert mark_retracted(citation, actor=db.session.get(User, editor.id), note="  Journal notice.  ",
                              retracted_on=date(2999, 1, 1), source="editor")
        assert citation.retracted and citation.retracted_at == utcnow().date()  # never in the future
        assert citation.retraction_note == "Journal notice."
        assert not mark_retracted(citation, actor=None, note="again", retracted_on=None, source="crossref")
