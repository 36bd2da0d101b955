"""One unit of work per request and per command (editorial/core/unit_of_work.py): services flush, the
request or command commits once when it succeeded and rolls back when it did not."""
import pytest
from sqlalchemy import event, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from editorial.core.errors import ValidationError
from editorial.core.extensions import db
from editorial.reviews.models import Comment
from editorial.articles import transitions
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def commits():
    """How many times the session committed (a commit of the request's transaction, not a flush)."""
    seen = []

    def count(_session):
        seen.append(1)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


def _comments(app, article_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Comment.id)).where(Comment.article_id == article_id))


def _flush_a_comment_then(failure):
    """A stand-in for a service that writes, flushes and only then fails."""
    def transition(actor, article, action, **_):
        db.session.add(Comment(article_id=article.id, revision_number=article.version, author_id=actor.id,
                               kind="submission", body="half-written"))
        db.session.flush()
        raise failure
    return transition


@pytest.mark.parametrize("failure, status", [(ValidationError("Refused after a flush."), 422),
                                             (RuntimeError("a bug after a flush"), 500)])
def test_a_failing_api_request_leaves_nothing_half_written(app, newsroom, monkeypatch, failure, status):
    article = newsroom.create()
    monkeypatch.setattr(transitions, "transition", _flush_a_comment_then(failure))
    assert newsroom.act(article["id"], newsroom.writer, "submit").status_code == status
    assert _comments(app, article["id"]) == 0


def test_a_failing_page_request_leaves_nothing_half_written(app, client, login, newsroom, monkeypatch):
    article = newsroom.create()
    monkeypatch.setattr(transitions, "transition", _flush_a_comment_then(ValidationError("Refused after a flush.")))
    login(newsroom.writer)
    page = client.post(f"/articles/{article['id']}/transition", data={"action": "submit"})
    assert page.status_code == 422 and "Refused after a flush." in page.get_data(as_text=True)
    assert _comments(app, article["id"]) == 0


def test_a_failing_command_leaves_nothing_half_written(app, runner, newsroom, monkeypatch):
    article = newsroom.create()
    monkeypatch.setattr(transitions, "transition", _flush_a_comment_then(ValidationError("Refused after a flush.")))
    result = runner.invoke(args=["articles", "transition", str(article["id"]), "submit", "--as", newsroom.writer.email])
    assert result.exit_code == 1 and "Error: Refused after a flush." in result.output
    assert _comments(app, article["id"]) == 0


def test_a_successful_request_commits_once(app, client, login, newsroom, commits):
    article = newsroom.ready_for_review()
    newsroom.article(article["id"], newsroom.reviewer)  # the token's first use is written on its own
    commits.clear()
    assert newsroom.sign(article["id"], newsroom.reviewer).status_code == 200  # a GET, then the approval
    assert len(commits) == 1
    login(newsroom.writer)
    commits.clear()
    page = client.post(f"/articles/{article['id']}/comments", data={"body": "A note."})
    assert page.status_code == 302 and len(commits) == 1
    assert _comments(app, article["id"]) == 1


def test_a_successful_command_commits_once(app, runner, newsroom, commits):
    article = newsroom.create()
    newsroom.attach(article["id"])
    assert newsroom.assign(article["id"], newsroom.reviewer).status_code == 201
    commits.clear()
    result = runner.invoke(args=["articles", "transition", str(article["id"]), "submit", "--as", newsroom.writer.email])
    assert result.exit_code == 0, result.output
    assert len(commits) == 1
    assert newsroom.article(article["id"])["state"] == "in_review"


def test_a_refusal_that_is_itself_evidence_is_committed_alone(app, newsroom):
    """A wrong password on a signature: 403, and the refusal's audit record stands."""
    from editorial.audit.models import AuditEvent

    article = newsroom.ready_for_review()
    assert newsroom.sign(article["id"], newsroom.reviewer, password="wrong " + TEST_PASSWORD).status_code == 403
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.article_id == article["id"])).all()
    assert "signature.refused" in actions and "signature.recorded" not in actions


def test_a_commit_the_database_cannot_take_answers_503_and_keeps_nothing(app, newsroom, monkeypatch):
    article = newsroom.create()
    newsroom.attach(article["id"])

    def unreachable(self):
        raise sa_exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    with app.app_context():
        session_class = type(db.session())
    monkeypatch.setattr(session_class, "commit", unreachable)
    answer = newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer,
                           {"base_version": 2, "body": "Changed [@tom2019].", "note": "n"})
    monkeypatch.undo()
    assert answer.status_code == 503 and answer.json["error"]["code"] == "unavailable"
    assert answer.headers["Retry-After"] and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert newsroom.article(article["id"])["version"] == 2
