"""A revision's ordered references are rows of revision_citations: part of the immutable revision
(guarded like it), covered by its content hash, and joined on for "live articles citing a source"."""
import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import selectinload

from editorial.core.extensions import db
from editorial.citations.models import Citation
from editorial.articles.models import Revision, RevisionCitation
from editorial.articles.queries import live_articles_citing
from editorial.articles.history import content_hash, revision_hash
from tests.conftest import act_as_database_owner, allow_updates_behind_the_apps_back
from tests.test_public_page import publish


def published_citing(newsroom, *citations, title="Intraoperative radiation therapy"):
    """A live article whose live revision cites these citations, in this order."""
    body = " ".join(f"Point [@{c.key}]." for c in citations)
    return publish(newsroom, title=title, body=body, citation_ids=[c.id for c in citations])


def live_revision(article_id: int) -> Revision:
    from editorial.articles.models import Article

    return db.session.get(Revision, db.session.get(Article, article_id).live_revision_id)


def test_a_save_writes_the_ordered_list_as_rows_of_the_revision(app, newsroom):
    second = newsroom.make_citation(key="second2020")
    article = newsroom.create()
    newsroom.attach(article["id"], second.id)
    newsroom.attach(article["id"])
    with app.app_context():
        revision = db.session.scalars(select(Revision).where(Revision.article_id == article["id"])
                                      .order_by(Revision.number.desc())).first()
        rows = db.session.execute(select(RevisionCitation.position, RevisionCitation.citation_id)
                                  .where(RevisionCitation.revision_id == revision.id).order_by(RevisionCitation.position)).all()
        assert [tuple(row) for row in rows] == [(0, second.id), (1, newsroom.citation.id)]
        assert revision.citation_ids == [second.id, newsroom.citation.id]
        assert revision.content_hash == content_hash(revision.title, revision.summary, revision.body,
                                                     [second.id, newsroom.citation.id])


@pytest.mark.parametrize("statement", [
    "UPDATE revision_citations SET citation_id = citation_id",
    "UPDATE revision_citations SET position = position + 10",
    "DELETE FROM revision_citations",
])
def test_a_revisions_reference_rows_are_immutable_in_the_database(app, newsroom, statement):
    newsroom.approved()
    with app.app_context():
        act_as_database_owner()  # the triggers themselves, not only the app role's grants
        nested = db.session.begin_nested()
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        nested.rollback()


def _swap_live_references(article_id: int) -> Revision:
    allow_updates_behind_the_apps_back("revision_citations")
    revision = live_revision(article_id)
    first, second = revision.citation_ids
    db.session.execute(text("UPDATE revision_citations SET citation_id = :c WHERE revision_id = :r AND position = :p"),
                       [{"c": second, "r": revision.id, "p": 0}, {"c": first, "r": revision.id, "p": 1}])
    return revision


def test_a_live_reference_list_reordered_behind_the_apps_back_is_withheld(app, client, newsroom):
    second = newsroom.make_citation(key="second2020")
    article = published_citing(newsroom, newsroom.citation, second)
    assert client.get(f"/health/{article['slug']}").status_code == 200
    with app.app_context():
        _swap_live_references(article["id"])
        db.session.commit()
    assert client.get(f"/health/{article['slug']}").status_code == 503
    with app.app_context():
        from editorial.audit.evidence import collect
        from editorial.articles.models import Article

        evidence = collect(db.session.get(Article, article["id"]))
        assert evidence["revisions"][-1]["hash_recomputed_matches"] is False


def test_a_reference_list_rewritten_with_its_hash_recomputed_is_named_by_audit_verify(app, runner, newsroom):
    second = newsroom.make_citation(key="second2020")
    article = published_citing(newsroom, newsroom.citation, second)
    with app.app_context():
        revision = _swap_live_references(article["id"])
        db.session.expire(revision)
        allow_updates_behind_the_apps_back("revisions")
        db.session.execute(text("UPDATE revisions SET content_hash = :h WHERE id = :r"),
                           {"h": revision_hash(revision), "r": revision.id})
        number = revision.number
        db.session.commit()
    result = runner.invoke(args=["audit", "verify", "--jobs", "1"])
    assert result.exit_code == 1 and f"revision {number}" in result.output and "revision.saved" in result.output


def test_live_articles_citing_a_source_is_one_join_in_reference_order(app, newsroom, count_queries):
    second, unused = newsroom.make_citation(key="second2020"), newsroom.make_citation(key="unused2021")
    older = published_citing(newsroom, second, newsroom.citation, title="Older")
    newer = published_citing(newsroom, newsroom.citation, title="Newer")
    draft = newsroom.create(title="Draft")
    newsroom.attach(draft["id"], second.id)  # cites it, but nothing of it is live
    with app.app_context():
        found = live_articles_citing([newsroom.citation.id, second.id])  # (the test's savepoint opens here)
        with count_queries() as counted:
            by_select = live_articles_citing(select(Citation.id).where(Citation.key.in_(["tom2019", "second2020"])))
            first_only = live_articles_citing([newsroom.citation.id, second.id], limit=1)
            assert live_articles_citing([unused.id]) == {}
    assert found == by_select == {newer["id"]: [newsroom.citation.id], older["id"]: [second.id, newsroom.citation.id]}
    assert list(found) == [newer["id"], older["id"]]  # newest publication first
    assert first_only == {newer["id"]: [newsroom.citation.id]}
    assert counted.count == 3  # one statement each
    with app.app_context():
        assert live_articles_citing([]) == {}


def _stored_revisions() -> dict[int, tuple[str, list[int]]]:
    """Every revision's stored content hash and ordered reference list, read from the table, after
    checking that the hash recomputed from its content and those rows is the stored one."""
    revisions = db.session.scalars(select(Revision).options(selectinload(Revision.citation_links)).order_by(Revision.id)).all()
    mismatched = [r.id for r in revisions if revision_hash(r) != r.content_hash]
    assert not mismatched, mismatched
    return {r.id: (r.content_hash, r.citation_ids) for r in revisions}


def _stored_json_revisions() -> dict[int, tuple[str, list[int]]]:
    """The same, from the JSON text column the schema before 0021 keeps (written as the app wrote it)."""
    found = {}
    for revision_id, title, summary, body, ids_text, stored in db.session.execute(text(
            "SELECT id, title, summary, body, citation_ids, content_hash FROM revisions ORDER BY id")):
        ids = json.loads(ids_text)
        assert ids_text == json.dumps(ids)
        assert content_hash(title, summary, body, ids) == stored, revision_id
        found[revision_id] = (stored, ids)
    return found


def test_migration_0021_keeps_every_content_hash_of_the_demo_and_of_generated_data(isolated_app, tmp_path, monkeypatch):
    """Generated data (bench/generate.py, tiny) and the demo newsroom on top of it: each revision's
    hash is recorded under the JSON column (the schema at 0019), and after 0021 moves the lists into
    rows, recomputing it from the rows gives the stored hash; the audit chain and rows still verify."""
    import os

    from bench.generate import Size, generate
    from editorial.demo import seed as demo
    from editorial.audit.chain import verify_chain

    url = isolated_app.config["SQLALCHEMY_DATABASE_URI"]
    with isolated_app.app_context():
        db.engine.dispose()  # generate() re-creates the database
    monkeypatch.setenv("EDITORIAL_INSTANCE_PATH", os.environ["EDITORIAL_INSTANCE_PATH"])  # generate() moves it
    generate(url, tmp_path / "bench-instance", Size(articles=20, revisions=120, events=2_000, users=30, write_pool=2,
                                                    approvers=2), log=None)
    directory = isolated_app.extensions["migrate"].directory
    with isolated_app.app_context():
        demo.seed()
        db.session.commit()
        at_head = _stored_revisions()
        assert any(len(ids) > 1 and ids != sorted(ids) for _, ids in at_head.values())  # order matters here
        assert any(not ids for _, ids in at_head.values())
        db.session.commit()
    with isolated_app.app_context():
        downgrade(directory=directory, revision="0019")
    with isolated_app.app_context():
        before = _stored_json_revisions()
        db.session.commit()
    assert before == at_head
    with isolated_app.app_context():
        upgrade(directory=directory)
    with isolated_app.app_context():
        assert _stored_revisions() == before
        report = verify_chain()
        assert report.ok and report.rows_checked >= len(before), report
        db.session.commit()
