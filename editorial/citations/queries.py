"""Read-side selects of the citation library."""
from sqlalchemy import select

from editorial.citations.models import Citation
from editorial.core.extensions import db
from editorial.core.reading import rows_by_id


def search_citations(q: str, limit: int = 20) -> list:
    """Library records whose title or key contains q, or whose DOI is q, newest first: the
    article page's and the edit form's "Find in the citation library"."""
    return db.session.scalars(
        select(Citation).where(
            Citation.title.ilike(f"%{q}%") | Citation.key.ilike(f"%{q}%") | (Citation.doi == q.lower())
        ).order_by(Citation.year.desc(), Citation.id.desc()).limit(limit)
    ).all()


def citations_by_id(citation_ids: list[int]) -> dict:
    return rows_by_id(Citation, sorted(set(citation_ids)))
