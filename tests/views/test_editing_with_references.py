"""The edit form carries the ordered reference list: attach, detach and reorder while editing,
and one save writes one revision with the new body and the new list (issue #19)."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.articles.models import Revision


def page(response) -> str:
    return response.get_data(as_text=True)


def revisions_of(app, article_id) -> list:
    with app.app_context():
        return db.session.scalars(select(Revision).options(selectinload(Revision.citation_links))
                                  .where(Revision.article_id == article_id).order_by(Revision.number)).all()


def form_for(article, body, ids, **extra) -> dict:
    return {"title": article["title"], "body": body, "base_version": extra.pop("base_version", 1),
            "citation_ids": [str(i) for i in ids], "references_in_form": "1", **extra}


def test_one_save_writes_one_revision_with_the_new_body_and_the_new_list(client, login, newsroom, app):
    n = newsroom
    second = n.make_citation(key="correa2017")
    article = n.create(body="Old text.")
    login(n.writer)

    saved = client.post(f"/articles/{article['id']}/edit",
                        data=form_for(article, "New text [@correa2017] [@tom2019].", [second.id, n.citation.id]))
    assert saved.status_code == 302
    revisions = revisions_of(app, article["id"])
    assert len(revisions) == 2
    assert revisions[1].body == "New text [@correa2017] [@tom2019]."
    assert revisions[1].citation_ids == [second.id, n.citation.id]
    detail = page(client.get(f"/articles/{article['id']}"))
    assert detail.index("correa2017") < detail.index("[@tom2019]</span>")
    with app.app_context():
        attached = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "citation.attached",
                                                                      AuditEvent.article_id == article["id"])).all()
    assert len(attached) == 2  # each reference added is audited, as attaching one was


def test_the_form_shows_the_list_and_reorders_detaches_and_adds_without_saving(client, login, newsroom, app):
    n = newsroom
    second = n.make_citation(key="correa2017", title="Partial breast irradiation")
    article = n.create(body="Text.")
    n.attach(article["id"])
    login(n.writer)
    form = page(client.get(f"/articles/{article['id']}/edit"))
    assert f'name="citation_ids" type="hidden" value="{n.citation.id}"' in form or \
        f'name="citation_ids" value="{n.citation.id}"' in form
    assert "Find in the citation library" in form

    typed = form_for(article, "Text I am still typing.", [n.citation.id], base_version=2)
    found = page(client.post(f"/articles/{article['id']}/edit", data={**typed, "cq": "partial", "refs_action": "search"}))
    assert f"add:{second.id}" in found and "Text I am still typing." in found

    added = client.post(f"/articles/{article['id']}/edit", data={**typed, "refs_action": f"add:{second.id}"})
    assert added.status_code == 200 and "Text I am still typing." in page(added)
    html = page(added)
    assert html.index(f'name="citation_ids" type="hidden" value="{n.citation.id}"') < \
        html.index(f'name="citation_ids" type="hidden" value="{second.id}"')

    moved = page(client.post(f"/articles/{article['id']}/edit",
                             data={**typed, "citation_ids": [str(n.citation.id), str(second.id)], "refs_action": f"up:{second.id}"}))
    assert moved.index(f'name="citation_ids" type="hidden" value="{second.id}"') < \
        moved.index(f'name="citation_ids" type="hidden" value="{n.citation.id}"')

    removed = page(client.post(f"/articles/{article['id']}/edit",
                               data={**typed, "citation_ids": [str(second.id), str(n.citation.id)], "refs_action": f"remove:{n.citation.id}"}))
    assert f'name="citation_ids" type="hidden" value="{n.citation.id}"' not in removed
    assert len(revisions_of(app, article["id"])) == 2  # nothing saved by rearranging

    saved = client.post(f"/articles/{article['id']}/edit",
                        data={**typed, "citation_ids": [str(second.id)], "note": "Swapped the source"})
    assert saved.status_code == 302
    revisions = revisions_of(app, article["id"])
    assert len(revisions) == 3 and revisions[2].citation_ids == [second.id]


def test_a_bad_reference_list_is_refused_beside_the_list_and_nothing_is_saved(client, login, newsroom, app):
    n = newsroom
    retracted = n.make_citation(key="gone2020", retracted=True)
    article = n.create(body="Text.")
    login(n.writer)
    for ids in ([retracted.id], [999_999], [n.citation.id, n.citation.id]):
        response = client.post(f"/articles/{article['id']}/edit", data=form_for(article, "Changed.", ids))
        assert response.status_code == 422, ids
        assert "Changed." in page(response)
    bogus = client.post(f"/articles/{article['id']}/edit", data=form_for(article, "Changed.", ["abc"]))
    assert bogus.status_code == 422
    assert len(revisions_of(app, article["id"])) == 1


def test_a_stale_edit_with_references_keeps_my_text_and_my_list(client, login, newsroom, app):
    n = newsroom
    second = n.make_citation(key="correa2017")
    article = n.create(body="Original text.")
    n.call("PATCH", f"/articles/{article['id']}", n.editor, {"base_version": 1, "body": "Editor's change."})
    login(n.writer)
    response = client.post(f"/articles/{article['id']}/edit", data=form_for(article, "My rewrite.", [second.id]))
    html = page(response)
    assert response.status_code == 409 and "Someone else saved first" in html
    assert "My rewrite." in html and f'name="citation_ids" type="hidden" value="{second.id}"' in html
    assert len(revisions_of(app, article["id"])) == 2


def test_the_article_page_sends_attaching_into_the_edit_form(client, login, newsroom, app):
    n = newsroom
    article = n.create(body="Text [@tom2019].")
    login(n.writer)
    found = page(client.get(f"/articles/{article['id']}?cq=tom2019"))
    assert f'action="/articles/{article["id"]}/edit"' in found
    opened = client.get(f"/articles/{article['id']}/edit?add={n.citation.id}")
    assert opened.status_code == 200
    assert f'name="citation_ids" type="hidden" value="{n.citation.id}"' in page(opened)
    assert len(revisions_of(app, article["id"])) == 1
    saved = client.post(f"/articles/{article['id']}/edit", data=form_for(article, "Text [@tom2019].", [n.citation.id]))
    assert saved.status_code == 302
    assert revisions_of(app, article["id"])[1].citation_ids == [n.citation.id]


def test_preview_renders_as_the_reader_page_with_the_forms_numbering(client, login, newsroom, app):
    from editorial.articles.rendering import render_body

    n = newsroom
    second = n.make_citation(key="correa2017")
    article = n.create(body="Text.")
    login(n.writer)
    body = "## Dose\n\nTake it [@correa2017] and [@tom2019], not [@nobody1999].<script>x</script>"
    response = client.post(f"/articles/{article['id']}/preview",
                           json={"body": body, "citation_ids": [second.id, n.citation.id]})
    assert response.status_code == 200
    data = response.get_json()
    assert data["html"] == render_body(body, {"correa2017": 1, "tom2019": 2}).html
    assert "<script>" not in data["html"] and "nobody1999" in data["html"]
    assert data["word_count"] > 0 and "grade" in data
    assert data["unknown_keys"] == ["nobody1999"]

    login(n.other_writer)
    assert client.post(f"/articles/{article['id']}/preview", json={"body": body}).status_code == 403


def test_preview_refuses_bad_input_with_a_message(client, login, newsroom):
    article = newsroom.create(body="Text.")
    login(newsroom.writer)
    for payload in ({"body": 5}, {"body": "x", "citation_ids": "nope"}, {"body": "x" * 200_001}):
        response = client.post(f"/articles/{article['id']}/preview", json=payload)
        assert response.status_code == 422 and response.get_json()["message"]


def test_the_library_search_answers_in_json_for_the_editor(client, login, newsroom):
    n = newsroom
    n.make_citation(key="correa2017", title="Partial breast irradiation")
    login(n.writer)
    data = client.get("/citations/search.json?q=corr").get_json()
    assert data["results"][0]["key"] == "correa2017"
    assert {"id", "key", "first_author", "year", "title", "retracted"} <= set(data["results"][0])
    login(n.auditor)
    assert client.get("/citations/search.json?q=corr").status_code == 403
