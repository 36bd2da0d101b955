"""Citations core: records, identifiers, validation, AMA formatting and file import.

Pure Python with no Flask or database code, so views, services and CLI can share it.

    from editorial.citations import CitationData, Author, validate, format_ama, parse
"""
from ._base import ImportFormatError
from .formatting import format_ama, format_ama_html
from .identifiers import doi_url, normalise_doi, normalise_pmid
from .importers import FORMATS, ImportResult, ParsedRecord, detect_format, parse
from .keys import citation_key, title_fingerprint
from .records import CITATION_TYPES, TYPE_LABELS, Author, CitationData
from .validation import validate

__all__ = [
    "CITATION_TYPES", "FORMATS", "TYPE_LABELS", "Author", "CitationData", "ImportFormatError", "ImportResult",
    "ParsedRecord", "citation_key", "detect_format", "doi_url", "format_ama", "format_ama_html", "normalise_doi",
    "normalise_pmid", "parse", "title_fingerprint", "validate",
]
