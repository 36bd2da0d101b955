"""Attaching and detaching citations (each a new revision)."""
from editorial.api import api_bp
from editorial.api.helpers import caller
from editorial.api.openapi import documented
from editorial.api.schemas import Id
from editorial.api.validation import Body
from editorial.articles import references
from editorial.articles.api import changed, viewable
from editorial.articles.schemas import ArticleOut


class AttachCitation(Body):
    citation_id: Id


@api_bp.post("/articles/<int:article_id>/citations")
@documented(ArticleOut, 201, errors=(403, 409), tag="citations")
def attach_citation(article_id: int, json: AttachCitation):
    """Attach a citation (a new revision)"""
    article = viewable(article_id, for_update=True)
    references.attach_citation(caller(), article, json.citation_id)
    return changed(article, 201)


@api_bp.delete("/articles/<int:article_id>/citations/<int:citation_id>")
@documented(ArticleOut, errors=(403, 409, 422), tag="citations")
def detach_citation(article_id: int, citation_id: int):
    """Detach a citation (a new revision)"""
    article = viewable(article_id, for_update=True)
    references.detach_citation(caller(), article, citation_id)
    return changed(article)
