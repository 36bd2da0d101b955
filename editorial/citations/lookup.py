"""Fetching one source's record by DOI (Crossref) or PMID (NCBI E-utilities).

Pure Python (no Flask, no database): citations/lookup_service.py decides what to do with the answer.

Rules:
- What a writer pastes is read by `parse_identifier`: a DOI, a DOI URL ("https://doi.org/…",
  "doi:…"), a PMID ("33301246", "PMID: 33301246") or a PubMed URL
  ("https://pubmed.ncbi.nlm.nih.gov/33301246/", "…/pubmed/33301246"). Anything else is a
  ValueError with a message for people.
- A DOI's record comes from Crossref's REST API (GET /works/{doi}); its JSON is close to CSL-JSON
  (lists for titles, "journal-article" for "article-journal"), so it is reshaped and read by the
  CSL-JSON reader. A PMID's record comes from efetch with rettype=medline, read by the MEDLINE reader.
- Every failure is a `LookupFailed`: `not_found` when the source answers that it has no such
  record (HTTP 404, an empty efetch answer); otherwise the source could not be reached or its
  answer not read (offline, a timeout, 5xx, garbage). Never another exception.
"""
from __future__ import annotations

import http.client
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit

from editorial.citations.retractions import CROSSREF_WORKS, MAX_RESPONSE_BYTES, Fetch, urllib_fetch

from . import csljson, medline
from ._base import ImportFormatError
from .identifiers import normalise_doi, normalise_pmid
from .records import CitationData

EFETCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
_PUBMED_HOSTS = {"pubmed.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"}
_PUBMED_PATH = re.compile(r"^/(?:pubmed/)?([1-9]\d{0,7})/?$")
# Crossref's work types, where they differ from CSL's.
_CROSSREF_TYPES = {"journal-article": "article-journal", "book-chapter": "chapter", "proceedings-article": "paper-conference",
                   "dissertation": "thesis", "monograph": "book", "edited-book": "book", "reference-book": "book"}


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi" or "pmid"
    value: str  # normalised

    @property
    def label(self) -> str:
        return f"DOI {self.value}" if self.kind == "doi" else f"PMID {self.value}"

    @property
    def source_name(self) -> str:
        return "Crossref" if self.kind == "doi" else "PubMed"


class LookupFailed(Exception):
    def __init__(self, message: str, *, not_found: bool = False):
        super().__init__(message)
        self.message = message
        self.not_found = not_found


def parse_identifier(text: str) -> Identifier:
    """The DOI or PMID in what a writer pasted, or ValueError saying what is accepted."""
    value = (text or "").strip()
    if not value:
        raise ValueError("Paste a DOI, a PMID, or a doi.org or PubMed link.")
    if len(value) > 2000:
        raise ValueError("That is too long for a DOI or a PMID.")
    if re.match(r"^https?://", value, re.IGNORECASE):
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if host in _PUBMED_HOSTS:
            match = _PUBMED_PATH.match(unquote(parts.path))
            if match:
                return Identifier("pmid", normalise_pmid(match.group(1)))
            raise ValueError("This PubMed link names no article (expected …/pubmed/12345678 or pubmed.ncbi.nlm.nih.gov/12345678/).")
        if host not in {"doi.org", "dx.doi.org", "www.doi.org"}:
            raise ValueError("Only doi.org and PubMed links can be looked up; paste the DOI or PMID itself.")
    if re.match(r"^(?:pmid:?\s*)?\d+$", value, re.IGNORECASE):
        return Identifier("pmid", normalise_pmid(value))
    return Identifier("doi", normalise_doi(value))


def _get(fetch: Fetch, url: str, headers: Mapping[str, str], timeout: float, source: str) -> tuple[int, bytes]:
    try:
        status, body = fetch(url, headers, timeout)
    except TimeoutError:
        raise LookupFailed(f"{source} did not answer in time.") from None
    except (OSError, http.client.HTTPException, ValueError):  # offline, refused, DNS: URLError is an OSError
        raise LookupFailed(f"{source} could not be reached.") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise LookupFailed(f"{source}'s answer was too large to read.")
    return status, body


def crossref_item(message: dict) -> dict:
    """A Crossref work ("message") as the CSL-JSON item the CSL-JSON reader understands."""
    def one(value):
        return value[0] if isinstance(value, list) and value else value if isinstance(value, str) else ""

    item = dict(message)
    item["type"] = _CROSSREF_TYPES.get(str(message.get("type", "")), message.get("type", ""))
    item["title"] = one(message.get("title"))
    subtitle = one(message.get("subtitle"))
    if subtitle and item["title"] and subtitle.casefold() not in item["title"].casefold():
        item["title"] = f"{item['title'].rstrip(' :')}: {subtitle}"
    if not message.get("page") and message.get("article-number"):
        item["page"] = message["article-number"]  # an e-locator ("e0123456") where pages would be
    if message.get("edition-number"):
        item["edition"] = str(message["edition-number"])
    item["container-title"] = one(message.get("container-title"))
    item["container-title-short"] = one(message.get("short-container-title"))
    item["group-title"] = one(message.get("group-title"))
    institution = message.get("institution")
    institution = one(institution[0].get("name")) if isinstance(institution, list) and institution and isinstance(institution[0], dict) else ""
    if message.get("type") == "posted-content" and institution:
        # a preprint's server is its "institution" (medRxiv); its group-title is a subject and its publisher a company
        item["container-title"] = item["container-title"] or institution
    if message.get("type") == "dissertation" and institution:
        item["publisher"] = institution  # the university, not its library that deposited the DOI
    # A group author is {"name": ...} in Crossref, {"literal": ...} in CSL.
    item["author"] = [{"literal": a["name"]} if isinstance(a, dict) and a.get("name") and not a.get("family") else a
                      for a in message.get("author") or [] if isinstance(message.get("author"), list)]
    item["issued"] = message.get("issued") or message.get("published-print") or message.get("published-online") or {}
    item.pop("URL", None)  # Crossref's URL is the doi.org link: the DOI says it already
    return item


def from_crossref(body: bytes) -> CitationData:
    try:
        message = json.loads(body)["message"]
        if not isinstance(message, dict):
            raise TypeError("message is not an object")
        data = csljson.read(json.dumps([crossref_item(message)]))[0].data
    except (ValueError, KeyError, TypeError, IndexError, RecursionError, ImportFormatError):
        data = None
    if data is None or not data.title:
        raise LookupFailed("Crossref's answer could not be read.")
    return data


def from_medline(body: bytes) -> CitationData:
    text = body.decode("utf-8", errors="replace").replace("\r\n", "\n").strip()
    if not text or "error occurred" in text[:300].lower():  # efetch's answer for an id it does not know
        raise LookupFailed("PubMed has no article with this PMID.", not_found=True)
    try:
        mapped = medline.read(text)
    except ImportFormatError:
        raise LookupFailed("PubMed's answer could not be read.") from None
    data = mapped[0].data if mapped else None
    if data is None or not data.title:
        raise LookupFailed("PubMed's answer could not be read.")
    return data


def user_agent(mailto: str | None) -> str:
    # Crossref and NCBI ask clients to identify themselves; a mailto puts us in Crossref's "polite" pool.
    return "Vetted-citation-lookup/1.0 (medical-content review desk" + (f"; mailto:{mailto})" if mailto else ")")


def fetch_record(identifier: Identifier, *, fetch: Fetch | None = None, mailto: str | None = None,
                 ncbi_api_key: str | None = None, timeout: float = 10.0) -> CitationData:
    """The source's record for one identifier, or LookupFailed."""
    fetch = fetch or urllib_fetch
    headers = {"User-Agent": user_agent(mailto)}
    if identifier.kind == "doi":
        url = CROSSREF_WORKS + quote(identifier.value, safe="/:;()")
        if mailto:
            url += "?" + urlencode({"mailto": mailto})
        status, body = _get(fetch, url, {**headers, "Accept": "application/json"}, timeout, "Crossref")
        if status == 404:
            raise LookupFailed("Crossref has no record of this DOI.", not_found=True)
        if status != 200:
            raise LookupFailed(f"Crossref answered with an error (HTTP {status}).")
        data = from_crossref(body)
        data.doi = data.doi or identifier.value
        return data
    query = {"db": "pubmed", "id": identifier.value, "rettype": "medline", "retmode": "text", "tool": "vetted"}
    if mailto:
        query["email"] = mailto
    if ncbi_api_key:
        query["api_key"] = ncbi_api_key
    status, body = _get(fetch, EFETCH + "?" + urlencode(query), headers, timeout, "PubMed")
    if status in (400, 404):  # efetch answers 400 for an id it does not know
        raise LookupFailed("PubMed has no article with this PMID.", not_found=True)
    if status != 200:
        raise LookupFailed(f"PubMed answered with an error (HTTP {status}).")
    data = from_medline(body)
    if data.pmid and data.pmid != identifier.value:
        raise LookupFailed("PubMed answered with another article than the one asked for.")
    data.pmid = identifier.value
    return data
