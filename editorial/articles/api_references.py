"""Attaching and detaching citations (each a new revision)."""
from editorial.api import api_bp
from editorial.articles.api import changed, viewable
from editorial.api.helpers import caller
from editorial.api.openapi import documented
from editorial.api.schemas import ArticleOut, Id
from editorial.api.validation import Body, parse_body
from editorial.articles import service as article_service


class AttachCitation(Body):
    citation_id: Id


@api_bp.post("/articles/<int:article_id>/citations")
@documented("Attach a citation (a new revision)", body=AttachCitation, response=ArticleOut, status=201,
            errors=(403, 409), tag="citations")
def attach_citation(article_id: int):
    data = parse_body(AttachCitation)
    article = viewable(article_id, for_update=True)
    article_service.attach_citation(caller(), article, data.citation_id)
    return changed(article, 201)


@api_bp.delete("/articles/<int:article_id>/citations/<int:citation_id>")
@documented("Detach a citation (a new revision)", response=ArticleOut, errors=(403, 409, 422), tag="citations")
def detach_citation(article_id: int, citation_id: int):
    article = viewable(article_id, for_update=True)
    article_service.detach_citation(caller(), article, citation_id)
    return changed(article)
