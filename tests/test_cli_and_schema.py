"""The command line of API.md, and migrations that match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from config import TestConfig
from editorial import create_app

from editorial.demo.seed import DEMO_PASSWORD, PEOPLE
from editorial.core.extensions import db
from editorial.accounts.models import User
from editorial.accounts.passwords import verify_password


def test_migrations_produce_exactly_the_models_schema(app):
    with app.app_context():
        connection = db.session.connection()
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
        assert diff == []


def test_init_db_creates_a_fresh_database_and_is_safe_to_run_twice(tmp_path):
    # Its own SQLite file: the shared test database is held by the test's transaction.
    config = type("FreshConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.sqlite"})
    fresh = create_app(config)
    for _ in range(2):
        result = fresh.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "latest schema" in result.output
    with fresh.app_context():
        assert "audit_events" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_users_create_and_token(runner, app, client):
    result = runner.invoke(args=[
        "users", "create", "dr.who@example.org", "--name", "Dr. Who", "--role", "reviewer", "--role", "writer",
        "--password", "long-enough-pass", "--credentials", "MD", "--specialty", "Oncology",
        "--affiliation", "Clinic", "--disclosure", "None",
    ])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "dr.who@example.org"))
        assert {r.value for r in user.roles} == {"reviewer", "writer"}
        assert user.disclosure == "None"
    token = runner.invoke(args=["users", "token", "dr.who@example.org"])
    assert token.exit_code == 0
    raw = token.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json["email"] == "dr.who@example.org"


def test_users_create_refuses_bad_input(runner):
    result = runner.invoke(args=["users", "create", "bad", "--name", "X", "--role", "writer", "--password", "short"])
    assert result.exit_code == 1
    assert "email" in result.output and "password" in result.output
    unknown_role = runner.invoke(args=["users", "create", "a@example.org", "--name", "X", "--role", "king", "--password", "long-enough-pass"])
    assert unknown_role.exit_code == 2


def test_users_token_for_unknown_email_fails(runner):
    assert runner.invoke(args=["users", "token", "nobody@example.org"]).exit_code == 1


def test_seed_demo_is_repeatable_and_prints_logins(runner, app):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    for person in PEOPLE:
        assert person["email"] in first.output
    with app.app_context():
        for person in PEOPLE:
            users = db.session.scalars(select(User).where(User.email == person["email"])).all()
            assert len(users) == 1
            assert verify_password(users[0].password_hash, DEMO_PASSWORD)
        reviewers = [p for p in PEOPLE if "reviewer" in p["roles"]]
        assert len(reviewers) == 2 and all(p["disclosure"] and p["credentials"] for p in reviewers)


def test_articles_transition_from_the_command_line(runner, newsroom):
    article = newsroom.create()
    aid = article["id"]
    newsroom.attach(aid)
    newsroom.assign(aid, newsroom.reviewer)
    refused = runner.invoke(args=["articles", "transition", str(aid), "publish", "--as", newsroom.writer.email])
    assert refused.exit_code == 1 and "senior editors" in refused.output
    submitted = runner.invoke(args=["articles", "transition", str(aid), "submit", "--as", newsroom.writer.email])
    assert submitted.exit_code == 0 and "in_review" in submitted.output
    approve = ["articles", "transition", str(aid), "approve", "--as", newsroom.reviewer.email, "--conflict-of-interest", "none"]
    current = newsroom.article(aid)["current_revision"]
    stale = runner.invoke(args=[*approve, "--revision", str(current["number"] - 1), "--content-hash", "0" * 64],
                          input="correct-horse-battery\n")
    assert stale.exit_code == 1 and "nothing was signed" in stale.output
    wrong = runner.invoke(args=approve, input="y\nnope\n")
    assert current["content_hash"] in wrong.output  # the signer is shown what they sign
    assert wrong.exit_code == 1 and "password did not match" in wrong.output
    signed = runner.invoke(args=approve, input="y\ncorrect-horse-battery\n")
    assert signed.exit_code == 0 and "approved" in signed.output
    listing = runner.invoke(args=["articles", "list", "--state", "approved"])
    assert str(aid) in listing.output


def test_demo_history_lets_an_auditor_reconstruct_the_iort_page(runner, app, client, login):
    from datetime import timedelta

    from editorial.demo.content import IORT_TITLE
    from editorial.articles.models import Article
    from editorial.audit.models import AuditEvent
    from editorial.reviews.models import Signature

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.title == IORT_TITLE))
        assert article.state == "draft" and article.live_revision_id is not None  # a new draft over a live page
        publishes = db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == article.id,
                                                                AuditEvent.action == "article.publish").order_by(AuditEvent.id)).all()
        assert len(publishes) == 2
        live_signers = db.session.scalars(select(Signature.printed_name).where(Signature.revision_id == article.live_revision_id)).all()
        assert sorted(live_signers) == ["Dr. Priya Raman", "Dr. Samuel Okafor"]
        week_before = (publishes[-1].at - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        auditor = db.session.scalar(select(User).where(User.email == "auditor@vetted.example"))
        db.session.expunge(auditor)
        article_id, first_live = article.id, publishes[0].revision_number
    login(auditor)
    page = client.get(f"/audit/articles/{article_id}/as-of?at={week_before}").get_data(as_text=True)
    assert f"revision {first_live} was live" in page and "Dr. Priya Raman" in page
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
