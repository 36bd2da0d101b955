"""Every route, every role: who may reach what. A new route fails this test until it has a rule here."""

import pytest
from sqlalchemy import text

from editorial.core.extensions import db
from tests.conftest import rule_path

ANON, WRITER, EDITOR, REVIEWER, AUDITOR, ADMIN = "anonymous", "writer", "editor", "reviewer", "auditor", "admin"
EVERYONE = {ANON, WRITER, EDITOR, REVIEWER, AUDITOR, ADMIN}
SIGNED_IN = EVERYONE - {ANON}
# Who works on the article under test: its author (the writer), editors, and its assigned reviewer;
# auditors and admins read everything.
ARTICLE_READERS = {WRITER, EDITOR, REVIEWER, AUDITOR, ADMIN}
ARTICLE_WORKERS = {WRITER, EDITOR}

# endpoint -> {method: roles allowed}. The article under test is in review, written by the writer,
# with the reviewer assigned. "Allowed" means the rule lets the request through (it may still be
# refused for its content or the article's state); "denied" is 401, 403, 404 or a sign-in redirect.
POLICY = {
    "index": {"GET": EVERYONE},
    "static": {"GET": EVERYONE},
    "health.healthz": {"GET": EVERYONE},  # for load balancers: no sign-in, no database
    "health.readyz": {"GET": EVERYONE},
    "auth.sign_in": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.sign_out": {"POST": SIGNED_IN},
    "auth.account": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "auth.issue_token": {"POST": SIGNED_IN},
    "auth.time_zone": {"POST": SIGNED_IN},
    "auth.revoke_token": {"POST": {EDITOR}},  # only one's own token: the token under test is the editor's
    "auth.end_session": {"POST": {EDITOR}},  # only one's own session: the session under test is the editor's
    "auth.end_other_sessions": {"POST": SIGNED_IN},
    "auth.change_password": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "auth.invitation": {"GET": EVERYONE, "POST": EVERYONE},  # whoever holds the link
    "dashboard.home": {"GET": SIGNED_IN},
    "two_factor.setup": {"GET": SIGNED_IN},
    "two_factor.start": {"POST": SIGNED_IN},
    "two_factor.confirm": {"POST": SIGNED_IN},
    "two_factor.disable": {"POST": SIGNED_IN},
    "two_factor.regenerate_recovery_codes": {"POST": SIGNED_IN},
    "two_factor.code": {"GET": EVERYONE, "POST": EVERYONE},  # signed-in users are sent on to their desk
    "dashboard.for_role": {"GET": {WRITER}},  # /dashboard/writer
    "admin.user_list": {"GET": {ADMIN}},
    "admin.user_create": {"GET": {ADMIN}, "POST": {ADMIN}},
    "admin.user_edit": {"GET": {ADMIN}, "POST": {ADMIN}},
    "admin.user_set_active": {"POST": {ADMIN}},
    "admin.confirm_deactivate": {"GET": {ADMIN}},
    "admin.user_unlock": {"POST": {ADMIN}},
    "admin.user_invitation": {"POST": {ADMIN}},
    "admin.user_reset_password": {"POST": {ADMIN}},
    "admin.user_two_factor_reset": {"POST": {ADMIN}},
    "notifications.mine": {"GET": SIGNED_IN},
    "notifications.outbox": {"GET": {ADMIN}},
    "notifications.requeue": {"POST": {ADMIN}},
    "articles.index": {"GET": SIGNED_IN},
    "articles.create": {"GET": ARTICLE_WORKERS, "POST": ARTICLE_WORKERS},
    "articles.detail": {"GET": ARTICLE_READERS},
    "articles.edit": {"GET": ARTICLE_WORKERS, "POST": ARTICLE_WORKERS},
    "articles.import_word": {"POST": ARTICLE_WORKERS},
    "articles.history": {"GET": ARTICLE_READERS},
    "articles.diff": {"GET": ARTICLE_READERS},
    "articles.since_my_review": {"GET": ARTICLE_READERS},  # a redirect to their own diff, or to the article
    "articles.revision": {"GET": ARTICLE_READERS},
    "articles.restore": {"POST": ARTICLE_WORKERS},
    "articles.transition": {"POST": {REVIEWER}},  # posts "request_changes": only an assigned reviewer may
    "articles.confirm_transition": {"GET": ARTICLE_READERS},  # without an action: 400 to those who may read it
    "articles.assign": {"POST": {EDITOR}},
    "articles.remove_reviewer": {"POST": {EDITOR}},
    "articles.waive": {"POST": {EDITOR}},
    "articles.respond": {"POST": {REVIEWER}},
    "articles.comment": {"POST": {WRITER, EDITOR, REVIEWER}},
    "articles.resolve_comment": {"POST": {WRITER, EDITOR, REVIEWER}},  # the reviewer wrote the comment
    "articles.attach_citation": {"POST": ARTICLE_WORKERS},
    "articles.detach_citation": {"POST": ARTICLE_WORKERS},
    "articles.move_citation": {"POST": ARTICLE_WORKERS},
    "articles.confirm_detach": {"GET": ARTICLE_WORKERS},  # 409 in review, for those who may edit
    "articles.confirm_move": {"GET": ARTICLE_WORKERS},
    "articles.preview": {"POST": ARTICLE_WORKERS},
    "currency.attention_list": {"GET": {EDITOR}},
    "currency.topics": {"GET": {EDITOR}, "POST": {EDITOR}},
    "currency.article_interval": {"POST": {EDITOR}},
    "currency.create_schedule": {"POST": {EDITOR}},
    "currency.cancel_schedule": {"POST": {EDITOR}},
    "currency.pemat_checklist": {"GET": {EDITOR}, "POST": {EDITOR}},
    "citations.index": {"GET": SIGNED_IN},
    "citations.detail": {"GET": SIGNED_IN},
    "citations.create": {"GET": ARTICLE_WORKERS, "POST": ARTICLE_WORKERS},
    "citations.import_file": {"GET": ARTICLE_WORKERS, "POST": ARTICLE_WORKERS},
    "citations.lookup": {"GET": ARTICLE_WORKERS, "POST": ARTICLE_WORKERS},
    "citations.retract": {"POST": {EDITOR}},
    "citations.export": {"GET": SIGNED_IN},
    "citations.search_json": {"GET": ARTICLE_WORKERS},
    "audit.log": {"GET": {AUDITOR, ADMIN}},
    "audit.verify": {"GET": {AUDITOR, ADMIN}},
    "audit.export_csv": {"GET": {AUDITOR, ADMIN}},
    "audit.export_jsonl": {"GET": {AUDITOR, ADMIN}},
    "audit.timeline": {"GET": {AUDITOR, ADMIN}},
    "audit.as_of": {"GET": {AUDITOR, ADMIN}},
    "audit.manifest": {"GET": {AUDITOR, ADMIN}},
    "audit.evidence_pack": {"GET": {AUDITOR, ADMIN}},
    "public.index": {"GET": EVERYONE},
    "public.favicon": {"GET": EVERYONE},
    "public.article": {"GET": EVERYONE},
    "public.moved_article": {"GET": EVERYONE},
    "public.feedback": {"POST": EVERYONE},
    "public.latest_checkpoint": {"GET": EVERYONE},
    "public.audit_public_key": {"GET": EVERYONE},
    "api.openapi_document": {"GET": EVERYONE},
    "api.published_article": {"GET": EVERYONE},
    "api.me": {"GET": SIGNED_IN},
    "api.user_list": {"GET": {EDITOR, AUDITOR, ADMIN}},
    "api.list_articles": {"GET": SIGNED_IN},
    "api.create_article": {"POST": ARTICLE_WORKERS},
    "api.get_article": {"GET": ARTICLE_READERS},
    "api.edit_article": {"PATCH": ARTICLE_WORKERS},
    "api.list_revisions": {"GET": ARTICLE_READERS},
    "api.get_revision": {"GET": ARTICLE_READERS},
    "api.diff": {"GET": ARTICLE_READERS},
    "api.assign_reviewer": {"POST": {EDITOR}},
    "api.remove_reviewer": {"DELETE": {EDITOR}},
    "api.respond": {"PATCH": {REVIEWER}},
    "api.waive_conflict": {"POST": {EDITOR}},
    "api.transition": {"POST": {REVIEWER}},
    "api.as_of": {"GET": {EDITOR, AUDITOR, ADMIN}},
    "api.attach_citation": {"POST": ARTICLE_WORKERS},
    "api.detach_citation": {"DELETE": ARTICLE_WORKERS},
    "api.create_citation": {"POST": ARTICLE_WORKERS},
    "api.import_citations": {"POST": ARTICLE_WORKERS},
    "api.lookup_citation": {"POST": ARTICLE_WORKERS},
    "api.list_citations": {"GET": SIGNED_IN},
    "api.get_citation": {"GET": SIGNED_IN},
    "api.export_citations": {"GET": SIGNED_IN},
    "api.export_article_citations": {"GET": ARTICLE_READERS},
    "api.retract_citation": {"POST": {EDITOR}},
    "api.audit_events": {"GET": {AUDITOR, ADMIN}},
    "api.audit_verify": {"GET": {AUDITOR, ADMIN}},
}

# Bodies that pass form and schema checks, so that the permission rule is what decides.
FORM = {
    "articles.transition": {"action": "request_changes", "comment": "Please cite the trial."},
    "articles.assign": {"user_id": "{reviewer2}"},
    "articles.waive": {"reason": "Disclosed."},
    "articles.respond": {"accepted": "yes"},
    "articles.comment": {"body": "A note."},
    "articles.edit": {"title": "T", "body": "B", "base_version": "3", "note": "n"},
    "articles.restore": {"base_version": "3"},
    "articles.import_word": {"base_version": "3"},  # no file: refused after the permission check
    "articles.attach_citation": {"citation_id": "{citation2}"},
    "articles.create": {"title": "New one", "body": "Text"},
    "citations.create": {"type": "article-journal", "title": "T", "authors": "Doe, Jane", "container_title": "J", "year": "2020"},
    "citations.import_file": {"format": "ris", "text": "TY  - JOUR\nTI  - X\nER  -\n"},
    "citations.retract": {"note": "Retracted."},
    "citations.lookup": {"identifier": "not a DOI"},  # refused before any look-up: the matrix never fetches
    "currency.topics": {"name": "Topic", "review_interval_months": "6"},
    "currency.article_interval": {"review_interval_months": "6"},
    "currency.create_schedule": {"action": "publish", "run_at": "2099-01-01T10:00"},
    "admin.user_create": {"email": "x@example.org", "name": "X", "password": "a-long-enough-password", "roles": ["writer"]},
    "admin.user_edit": {"name": "Renamed", "roles": ["writer"]},
    "auth.account": {"current_password": "x"},
    "auth.time_zone": {"time_zone": "Europe/Paris"},
}
JSON = {
    "api.create_article": {"title": "T", "body": "B"},
    "api.edit_article": {"base_version": 3, "body": "B", "note": "n"},
    "api.assign_reviewer": {"user_id": "{reviewer2}"},
    "api.respond": {"accepted": True},
    "api.waive_conflict": {"reason": "Disclosed."},
    "api.transition": {"action": "request_changes", "comment": "Please cite the trial."},
    "api.attach_citation": {"citation_id": "{citation2}"},
    "api.create_citation": {"title": "T", "authors": [{"family": "Doe", "given": "J"}], "container_title": "J", "year": 2020},
    "api.import_citations": {"format": "ris", "text": "TY  - JOUR\nER  -\n"},
    "api.retract_citation": {"note": "Retracted."},
    "api.lookup_citation": {"identifier": "not a DOI"},
}


@pytest.fixture
def world(app, newsroom, login, token_for, make_user):
    n = newsroom
    published = n.published()
    article = n.ready_for_review(reviewers=[n.reviewer])
    second = n.make_citation(key="second2020")
    comment = n.call("POST", f"/articles/{article['id']}/transitions", n.reviewer, {"action": "request_changes", "comment": "x"})
    assert comment.status_code == 200
    n.call("PATCH", f"/articles/{article['id']}", n.writer, {"base_version": article["version"], "body": "Body text [@tom2019]!", "note": "fix"})
    n.act(article["id"], n.writer, "submit")
    with app.app_context():
        from datetime import datetime, timedelta, timezone

        from editorial.articles.currency_models import Schedule

        comment_id = db.session.execute(text("SELECT max(id) FROM comments")).scalar()
        token_id = db.session.execute(text("SELECT max(id) FROM api_tokens WHERE user_id = :u"), {"u": n.editor.id}).scalar()
        schedule = Schedule(article_id=article["id"], action="unpublish", created_by_id=n.editor.id,
                            run_at=datetime.now(timezone.utc) + timedelta(days=1))
        db.session.add(schedule)
        db.session.commit()
        schedule_id = schedule.id
        revision_number = db.session.execute(text("SELECT max(number) FROM revisions WHERE article_id = :a"), {"a": article["id"]}).scalar()
    admin = make_user("admin")
    invited = make_user("writer")
    with app.app_context():
        from editorial.accounts.models import User
        from editorial.accounts import sessions
        from editorial.accounts import service as user_service

        editor_session, _ = sessions.start(db.session.get(User, n.editor.id), user_agent="elsewhere", remote_addr=None)
        invitation = user_service.issue_invitation(db.session.get(User, admin.id), db.session.get(User, invited.id))
        db.session.commit()
        session_id = editor_session.id
    users = {WRITER: n.writer, EDITOR: n.editor, REVIEWER: n.reviewer, AUDITOR: n.auditor, ADMIN: admin}
    headers = {role: (token_for(user) if role not in n.headers else n.headers[user.id]) for role, user in users.items()}
    values = {
        "article_id": article["id"], "user_id": n.reviewer.id, "citation_id": n.citation.id, "comment_id": comment_id,
        "number": 1, "token_id": token_id, "schedule_id": schedule_id, "notification_id": 1, "role": "writer",
        "slug": published["slug"], "filename": "css/app.css", "session_id": session_id, "token": invitation,
        "{reviewer2}": n.reviewer2.id, "{citation2}": second.id,
    }
    assert revision_number == 3
    return {"users": users, "headers": headers, "values": values, "login": login}


def _fill(value, values):
    if isinstance(value, str) and value in values:
        return values[value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/sign-in?next=" in response.headers.get("Location", "")


def test_every_route_has_a_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method not in POLICY.get(rule.endpoint, {}):
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "Routes without an authorisation decision: " + ", ".join(missing)


def test_every_route_against_every_role(app, world):
    values = world["values"]
    with app.app_context():
        connection = db.session.connection()
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        path = rule_path(rule, values.__getitem__)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            allowed = POLICY[rule.endpoint][method]
            for role in sorted(EVERYONE):
                client = app.test_client()
                if role != ANON and not path.startswith("/api/"):
                    world["login"](world["users"][role], client)
                headers = world["headers"][role] if role != ANON and path.startswith("/api/") else {}
                savepoint = connection.begin_nested()  # each probe leaves no trace for the next
                try:
                    if path.startswith("/api/"):
                        response = client.open(path, method=method, headers=headers, json=_fill(JSON.get(rule.endpoint), values) if method != "GET" else None)
                    else:
                        response = client.open(path, method=method, data=_fill(FORM.get(rule.endpoint, {}), values) if method != "GET" else None)
                    response.get_data()  # finish streamed responses inside the savepoint
                    response.close()
                finally:
                    savepoint.rollback()
                if response.status_code >= 500:
                    problems.append(f"{method} {path} as {role}: {response.status_code}")
                elif (role in allowed) == _denied(response):
                    want = "allowed" if role in allowed else "denied"
                    problems.append(f"{method} {path} as {role}: expected {want}, got {response.status_code}")
    assert not problems, "\n".join(problems)
