"""Many people at once: optimistic locking and the audit chain hold under concurrent writers."""
import threading

from editorial.audit import verify_chain
from editorial.extensions import db
from editorial.models import Revision, User
from editorial.services import articles, users
from tests.conftest import TEST_PASSWORD

WRITERS = 20


def test_twenty_concurrent_edits_of_one_version_give_one_revision_and_nineteen_conflicts(isolated_app):
    app = isolated_app
    with app.app_context():
        editor = users.create_user(None, email="ed@example.org", name="Ed", password=TEST_PASSWORD, roles=["editor"])
        db.session.flush()
        article = articles.create_article(editor, title="Shared article", body="Version one.")
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
