"""Many people at once: optimistic locking and the audit chain hold under concurrent writers."""
import threading

from editorial.audit.chain import verify_chain
from editorial.core.extensions import db
from editorial.articles.models import Revision
from editorial.accounts.models import User
from editorial.articles import editing, history as article_history, references, transitions
from editorial.accounts import service as users
from tests.conftest import TEST_PASSWORD

WRITERS = 20


def test_twenty_concurrent_edits_of_one_version_give_one_revision_and_nineteen_conflicts(isolated_app):
    app = isolated_app
    with app.app_context():
        editor = users.create_user(None, email="ed@example.org", name="Ed", password=TEST_PASSWORD, roles=["editor"])
        db.session.flush()
        article = editing.create_article(editor, title="Shared article", body="Version one.")
        _, raw = users.issue_token(None, editor)
        db.session.commit()
        article_id = article.id

    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def edit(n: int):
        client = app.test_client()
        barrier.wait()
        response = client.patch(
            f"/api/v1/articles/{article_id}", headers={"Authorization": f"Bearer {raw}"},
            json={"base_version": 1, "body": f"Edit number {n}."},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] + [409] * (WRITERS - 1)
    with app.app_context():
        numbers = db.session.scalars(db.select(Revision.number).where(Revision.article_id == article_id)).all()
        assert sorted(numbers) == [1, 2]
        report = verify_chain()
        assert report.ok, report


def test_concurrent_audit_appends_never_fork_the_chain(isolated_app):
    app = isolated_app
    with app.app_context():
        admin = users.create_user(None, email="admin@example.org", name="Admin", password=TEST_PASSWORD, roles=["admin"])
        db.session.commit()
        admin_id = admin.id

    barrier = threading.Barrier(8)
    errors = []

    def create_people(n: int):
        try:
            with app.app_context():
                actor = db.session.get(User, admin_id)
                db.session.commit()  # end the read: on SQLite every transaction holds the write lock
                barrier.wait()
                for i in range(5):
                    users.create_user(actor, email=f"p{n}-{i}@example.org", name=f"P {n} {i}", password=TEST_PASSWORD, roles=["writer"])
                    db.session.commit()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=create_people, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    with app.app_context():
        report = verify_chain()
        assert report.ok and report.checked == 1 + 8 * 5


def test_an_approval_racing_an_edit_never_signs_the_text_its_signer_did_not_read(isolated_app):
    """Two real connections: the writer withdraws, rewrites the dose and resubmits in one transaction
    that holds the article's lock; the reviewer's approval of what they read arrives meanwhile. It
    waits for the lock, then finds another revision: 409, and nothing is signed."""
    import time

    from editorial.reviews.models import Signature
    from editorial.reviews import service as reviews

    app = isolated_app
    with app.app_context():
        make = users.create_user
        writer = make(None, email="w@example.org", name="Wanda", password=TEST_PASSWORD, roles=["writer"])
        editor = make(None, email="e@example.org", name="Eddie", password=TEST_PASSWORD, roles=["editor"])
        reviewer = make(None, email="r@example.org", name="Dr. Rita", password=TEST_PASSWORD, roles=["reviewer"],
                        credentials="MD", disclosure="None")
        db.session.flush()
        from editorial.citations.models import Citation

        citation = Citation(key="tom2019", title="A study", fingerprint="a study", year=2024, formatted="Doe J.")
        db.session.add(citation)
        db.session.flush()
        article = editing.create_article(writer, title="Dosing", body="Take 50 mg twice a day [@tom2019].")
        references.attach_citation(writer, article, citation.id)
        reviews.assign_reviewer(editor, article, reviewer.id)
        transitions.transition(writer, article, "submit")
        read = article_history.current_revision(article)
        read_number, read_hash = read.number, read.content_hash
        _, token = users.issue_token(None, reviewer)
        db.session.commit()
        article_id, writer_id = article.id, writer.id

    locked, results = threading.Event(), {}

    def rewrite():
        with app.app_context():
            actor = db.session.get(User, writer_id)
            target = article_history.get_article(article_id, for_update=True)
            locked.set()
            transitions.transition(actor, target, "withdraw")
            editing.save_revision(actor, target, base_version=target.version, note="dose",
                                   body="Take 500 mg four times a day [@tom2019].")
            transitions.transition(actor, target, "submit")
            time.sleep(0.5)  # the approval is sent while this transaction holds the lock
            db.session.commit()

    def approve():
        locked.wait(10)
        response = app.test_client().post(
            f"/api/v1/articles/{article_id}/transitions", headers={"Authorization": f"Bearer {token}"},
            json={"action": "approve", "password": TEST_PASSWORD, "revision": read_number,
                  "content_hash": read_hash, "conflict_of_interest": "none"})
        results["approve"] = (response.status_code, response.json)

    threads = [threading.Thread(target=rewrite), threading.Thread(target=approve)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    status, body = results["approve"]
    assert status == 409 and body["error"]["code"] == "stale_version", body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Signature.id))) == 0
        assert verify_chain().ok
