"""Where retraction news comes from: a pluggable source interface, Crossref, and the
Retraction Watch CSV. Pure Python (no Flask, no database); citations/retraction_checks.py
applies what these find to the library.

Rules:
- A source answers for DOIs in the library's normal form (lowercase, no prefix). It reports a
  DOI as retracted only on positive evidence; anything it could not read is an error for that
  DOI, never a verdict, and never an exception out of `check()`.
- Crossref: a work is retracted when its `message["updated-by"]` lists an entry whose `type` is
  "retraction" (Crossref merges publisher notices and Retraction Watch data there). Corrections,
  errata and expressions of concern are not retractions. `update-to` is deliberately ignored: it
  appears on the *notice* and points at the paper it retracts, so a cited DOI carrying it is the
  notice itself, not a retracted source.
- Retraction Watch: only rows whose RetractionNature is "Retraction" count. A row is usable when
  it has a valid OriginalPaperDOI or OriginalPaperPubMedID ("unavailable", "0" and blanks are not).
"""
from __future__ import annotations

import csv
import http.client
import io
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import quote

from editorial.citations import normalise_doi, normalise_pmid

CROSSREF_WORKS = "https://api.crossref.org/works/"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024  # a work record is a few kB; refuse anything absurd

# fetch(url, headers, timeout) -> (HTTP status, body). Raises OSError/TimeoutError on transport failure.
Fetch = Callable[[str, Mapping[str, str], float], tuple[int, bytes]]


@dataclass(frozen=True)
class RetractionNotice:
    """Evidence that one source was retracted."""

    doi: str | None
    retracted_on: date | None
    notice_doi: str | None
    source: str  # "crossref", "retraction-watch", ...
    note: str
    pmid: str | None = None


@dataclass
class CheckResult:
    """One source's answer for a list of DOIs. A DOI in neither dict was checked and is not retracted."""

    retracted: dict[str, RetractionNotice] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # doi -> reason it could not be checked


class RetractionSource(Protocol):
    name: str

    def check(self, dois: Sequence[str]) -> CheckResult:
        """Look up each DOI; never raise for a single DOI's failure."""


# --- Crossref --------------------------------------------------------------------------

def urllib_fetch(url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
    """GET with the standard library. HTTP error statuses are returned, not raised."""
    request = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https only)
            return response.status, response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(MAX_RESPONSE_BYTES + 1)


def _crossref_date(value) -> date | None:
    """{"date-parts": [[2020, 6, 5]]} -> date; partial or odd dates are unknown, not guessed."""
    try:
        parts = value["date-parts"][0]
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _clean_doi(value) -> str | None:
    try:
        return normalise_doi(value) if value else None
    except ValueError:
        return None


class LookupFailed(Exception):
    """One DOI could not be checked."""


class CrossrefRetractionSource:
    """Asks the Crossref REST API about one DOI at a time (GET /works/{doi})."""

    name = "crossref"

    def __init__(self, *, mailto: str | None = None, fetch: Fetch | None = None, timeout: float = 10.0,
                 min_interval: float = 0.1, sleep: Callable[[float], None] = time.sleep):
        self.fetch = fetch or urllib_fetch
        self.timeout = timeout
        # Crossref asks clients to identify themselves; a mailto puts us in its "polite" pool.
        agent = "Vetted-retraction-check/1.0 (medical-content review desk"
        self.headers = {"User-Agent": agent + (f"; mailto:{mailto})" if mailto else ")"),
                        "Accept": "application/json"}
        self.min_interval = min_interval  # stay well under Crossref's per-second rate limit
        self.sleep = sleep
        self._asked = False  # pace across check() calls too: the worker calls once per batch

    def url_for(self, doi: str) -> str:
        return CROSSREF_WORKS + quote(doi, safe="/:;()")

    def check(self, dois: Sequence[str]) -> CheckResult:
        result = CheckResult()
        for doi in dois:
            if self._asked and self.min_interval:
                self.sleep(self.min_interval)
            self._asked = True
            try:
                notice = self.lookup(doi)
            except LookupFailed as exc:
                result.errors[doi] = str(exc)
                continue
            if notice is not None:
                result.retracted[doi] = notice
        return result

    def lookup(self, doi: str) -> RetractionNotice | None:
        """The retraction of one DOI, None when Crossref lists none, LookupFailed otherwise."""
        try:
            status, body = self.fetch(self.url_for(doi), self.headers, self.timeout)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError and timeouts are OSErrors
            raise LookupFailed(f"request failed: {exc}") from None
        if status == 404:
            raise LookupFailed("not found at Crossref (HTTP 404)")
        if status != 200:
            raise LookupFailed(f"HTTP {status}")
        if len(body) > MAX_RESPONSE_BYTES:
            raise LookupFailed("response too large")
        try:
            message = json.loads(body)["message"]
            updates = message.get("updated-by") or []
            if not isinstance(updates, list):
                raise TypeError("updated-by is not a list")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LookupFailed(f"malformed response: {exc}") from None
        return self._notice(doi, updates)

    def _notice(self, doi: str, updates: list) -> RetractionNotice | None:
        retractions = [u for u in updates if isinstance(u, dict) and str(u.get("type", "")).lower() == "retraction"]
        if not retractions:
            return None
        # Several records of one retraction (publisher + Retraction Watch) are common: take the earliest.
        dated = sorted(retractions, key=lambda u: _crossref_date(u.get("updated")) or date.max)
        first = dated[0]
        notice_doi = _clean_doi(first.get("DOI"))
        where = f" Notice: doi:{notice_doi}." if notice_doi else ""
        via = first.get("source") or "crossref"
        return RetractionNotice(
            doi=doi, retracted_on=_crossref_date(first.get("updated")), notice_doi=notice_doi,
            source=self.name, note=f"Retracted, according to Crossref ({via}).{where}",
        )


def source_from_config(name: str, config: Mapping) -> RetractionSource:
    """Build a named source from app config. RETRACTION_FETCH (a Fetch) replaces HTTP, for tests."""
    if name != "crossref":
        raise ValueError(f"Unknown retraction source: {name}")
    return CrossrefRetractionSource(
        mailto=config.get("CROSSREF_MAILTO") or os.environ.get("CROSSREF_MAILTO") or None,
        fetch=config.get("RETRACTION_FETCH"),
        timeout=float(config.get("CROSSREF_TIMEOUT", 10.0)),
        min_interval=float(config.get("CROSSREF_MIN_INTERVAL", 0.1)),
    )


SOURCES = ("crossref",)


# --- Retraction Watch CSV ---------------------------------------------------------------

class NotRetractionWatch(ValueError):
    """The file lacks the columns of a Retraction Watch export."""


def _rw_date(value: str | None) -> date | None:
    """ "1/31/2020 0:00" (the export's US format) or ISO "2020-01-31"; anything else is unknown."""
    text = (value or "").strip().split(" ")[0]
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _rw_pmid(value: str | None) -> str | None:
    try:
        return normalise_pmid(value.strip().removesuffix(".0")) if value else None  # "0" is refused
    except ValueError:
        return None


@dataclass
class RetractionWatchCsv:
    """Streams usable retractions out of a Retraction Watch export, one row at a time.

    Counts what it skipped in `rows`, `other_nature` and `unusable` as it goes."""

    source: str | Path | IO
    rows: int = 0
    other_nature: int = 0  # corrections, expressions of concern, reinstatements
    unusable: int = 0  # no valid identifier, or a row csv could not read

    def __iter__(self) -> Iterator[RetractionNotice]:
        if isinstance(self.source, (str, Path)):
            with open(self.source, encoding="utf-8-sig", errors="replace", newline="") as handle:
                yield from self._read(handle)
        elif isinstance(self.source, io.TextIOBase):
            yield from self._read(self.source)
        else:  # a binary stream, e.g. an upload
            text = io.TextIOWrapper(self.source, encoding="utf-8-sig", errors="replace", newline="")
            try:
                yield from self._read(text)
            finally:
                text.detach()  # leave the caller's stream open; it is theirs to close

    def _read(self, handle: IO[str]) -> Iterator[RetractionNotice]:
        reader = csv.DictReader(handle)
        # A text stream opened without utf-8-sig keeps the BOM on the first header.
        fields = [(name or "").lstrip("\ufeff").strip() for name in (reader.fieldnames or [])]
        reader.fieldnames = fields
        if "RetractionNature" not in fields or not {"OriginalPaperDOI", "OriginalPaperPubMedID"} & set(fields):
            raise NotRetractionWatch("Not a Retraction Watch export: expected RetractionNature and "
                                     "OriginalPaperDOI or OriginalPaperPubMedID columns.")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:  # e.g. an oversized field; the reader resumes on the next line
                self.rows += 1
                self.unusable += 1
                continue
            self.rows += 1
            notice = self._notice(row)
            if notice is not None:
                yield notice

    def _notice(self, row: dict) -> RetractionNotice | None:
        if (row.get("RetractionNature") or "").strip().lower() != "retraction":
            self.other_nature += 1
            return None
        doi, pmid = _clean_doi((row.get("OriginalPaperDOI") or "").strip()), _rw_pmid(row.get("OriginalPaperPubMedID"))
        if not doi and not pmid:
            self.unusable += 1
            return None
        notice_doi = _clean_doi((row.get("RetractionDOI") or "").strip())
        reasons = "; ".join(r.strip().lstrip("+") for r in (row.get("Reason") or "").split(";") if r.strip())
        note = "Retracted, according to the Retraction Watch database."
        note += f" Notice: doi:{notice_doi}." if notice_doi else ""
        note += f" Reasons: {reasons}." if reasons else ""
        return RetractionNotice(doi=doi, pmid=pmid, retracted_on=_rw_date(row.get("RetractionDate")),
                                notice_doi=notice_doi, source="retraction-watch", note=note[:2000])
