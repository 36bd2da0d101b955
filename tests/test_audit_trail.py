"""What an auditor needs: every write recorded, the log, exports, timelines, as-of, manifests, evidence."""
import csv
import io
import json
import re
import zipfile

from sqlalchemy import func, select, text

from editorial.audit import log as audit_log
from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from tests.conftest import allow_updates_behind_the_apps_back, rule_path


def actions(app, article_id=None) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.action).order_by(AuditEvent.id)
        if article_id is not None:
            query = query.where(AuditEvent.article_id == article_id)
        return list(db.session.scalars(query))


def test_every_step_of_the_journey_is_recorded(app, newsroom):
    n = newsroom
    article = n.create()
    aid = article["id"]
    n.attach(aid)
    n.assign(aid, n.reviewer)
    n.assign(aid, n.reviewer2)
    n.call("DELETE", f"/articles/{aid}/reviewers/{n.reviewer2.id}", n.editor)
    n.act(aid, n.writer, "submit")
    n.sign(aid, n.reviewer, password="wrong one")
    n.sign(aid, n.reviewer)
    n.act(aid, n.editor, "publish")
    n.act(aid, n.editor, "unpublish")
    recorded = actions(app, aid)
    for expected in ["article.created", "revision.saved", "citation.attached", "review.assigned", "review.removed",
                     "article.submit", "signature.refused", "signature.recorded", "article.approve",
                     "article.publish", "article.unpublish"]:
        assert expected in recorded, expected
    with app.app_context():
        publish = db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == aid, AuditEvent.action == "article.publish")).one()
        assert (publish.from_state, publish.to_state, publish.revision_number) == ("approved", "published", 2)
        assert publish.actor_id == n.editor.id and publish.at.tzinfo is not None


def test_api_audit_list_filters_and_verify(app, newsroom):
    n = newsroom
    article = n.published()
    aid = article["id"]
    assert n.call("GET", "/audit", n.writer).status_code == 403
    assert n.call("GET", "/audit/verify", n.editor).status_code == 403
    listing = n.call("GET", f"/audit?article_id={aid}&action=article.publish", n.auditor).json
    assert listing["total"] == 1
    event = listing["items"][0]
    assert event["actor"]["id"] == n.editor.id and event["to_state"] == "published"
    assert event["at"].endswith("Z") and len(event["hash"]) == 64 and len(event["prev_hash"]) == 64
    everything = n.call("GET", f"/audit?article_id={aid}&per_page=100", n.auditor).json["items"]
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)  # oldest first
    by_actor = n.call("GET", f"/audit?actor_id={n.reviewer.id}", n.auditor).json["items"]
    assert by_actor and all(e["actor"]["id"] == n.reviewer.id for e in by_actor)
    assert n.call("GET", "/audit?since=2999-01-01", n.auditor).json["total"] == 0
    bad = n.call("GET", "/audit?since=last-week&article_id=x", n.auditor)
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"since", "article_id"}
    verify = n.call("GET", "/audit/verify", n.auditor).json
    assert verify["ok"] is True and verify["first_broken_id"] is None and verify["checked"] > 10


def test_tampering_is_named_by_verify(app, newsroom, runner):
    n = newsroom
    n.published()
    with app.app_context():
        target = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "signature.recorded").limit(1))
        allow_updates_behind_the_apps_back("audit_events")
        db.session.execute(text("UPDATE audit_events SET actor_name = 'Someone Else' WHERE id = :id"), {"id": target})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == str(target)
    api = n.call("GET", "/audit/verify", n.auditor).json
    assert {k: api[k] for k in ("ok", "first_broken_id")} == {"ok": False, "first_broken_id": target}
    assert "does not match its hash" in api["problem"]


def test_auditor_pages(client, login, newsroom, app):
    n = newsroom
    article = n.published()
    aid = article["id"]
    login(n.auditor)
    log = client.get(f"/audit/?article_id={aid}").get_data(as_text=True)
    assert "article.publish" in log and "signature.recorded" in log
    bad = client.get("/audit/?since=tomorrow-ish")
    assert bad.status_code == 422 and "ISO 8601" in bad.get_data(as_text=True)
    timeline = client.get(f"/audit/articles/{aid}").get_data(as_text=True)
    assert "evidence pack" in timeline and "signature manifest" in timeline
    manifest = client.get(f"/audit/articles/{aid}/revisions/{article['live_revision']['number']}/manifest").get_data(as_text=True)
    assert "Dr. Rita Review" in manifest and "MD, PhD" in manifest and "approval" in manifest and "hash matches the text" in manifest
    verify = client.get("/audit/verify").get_data(as_text=True)
    assert "Intact" in verify
    login(n.writer)
    assert client.get("/audit/").status_code == 403


def test_log_pages_by_keyset(client, login, newsroom, app):
    for _ in range(8):
        newsroom.ready_for_review()
    login(newsroom.auditor)
    first = client.get("/audit/").get_data(as_text=True)
    match = re.search(r'href="/audit/\?after=(\d+)"', first)
    assert match
    second = client.get(f"/audit/?after={match.group(1)}").get_data(as_text=True)
    row = r'<td data-label="#">(\d+)</td><td data-label="Time \(UTC\)">20'
    first_ids = set(re.findall(row, first))
    second_ids = set(re.findall(row, second))
    assert first_ids and second_ids and not first_ids & second_ids


def test_as_of_shows_what_was_live_a_moment_before_the_last_publication(client, login, newsroom, app):
    n = newsroom
    article = n.published()
    aid = article["id"]
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": article["version"], "body": "Updated text [@tom2019].", "note": "Update"})
    n.act(aid, n.writer, "submit")
    n.sign(aid, n.reviewer)
    n.sign(aid, n.reviewer2)
    n.act(aid, n.editor, "publish")
    with app.app_context():
        publishes = db.session.scalars(select(AuditEvent).where(AuditEvent.article_id == aid, AuditEvent.action == "article.publish").order_by(AuditEvent.id)).all()
        before_second = publishes[0].at.isoformat().replace("+00:00", "Z")
    login(n.auditor)
    page = client.get(f"/audit/articles/{aid}/as-of?at={before_second}").get_data(as_text=True)
    assert f"revision {article['live_revision']['number']} was live" in page
    assert "Body text" in page and "Dr. Rita Review" in page
    never = client.get(f"/audit/articles/{aid}/as-of?at=2001-01-01").get_data(as_text=True)
    assert "Nothing of this article was live" in never
    now = client.get(f"/audit/articles/{aid}/as-of?at=2999-01-01").get_data(as_text=True)
    assert "Updated text" in now
    assert client.get(f"/audit/articles/{aid}/as-of?at=soonish").status_code == 422


def test_exports_are_streamed_and_verifiable_offline(client, login, newsroom, app, runner, tmp_path):
    newsroom.published()
    login(newsroom.auditor)
    csv_response = client.get("/audit/export.csv")
    assert csv_response.is_streamed and csv_response.mimetype == "text/csv"
    csv_text = csv_response.get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("id,at,actor_id,actor_name,action")
    jsonl = client.get("/audit/export.jsonl").get_data(as_text=True)
    *rows, manifest = [json.loads(line) for line in jsonl.splitlines()]
    assert manifest["manifest"]["count"] == len(rows) and manifest["manifest"]["filtered"] is False
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        expected = [audit_log.event_dict(event) for event in events]
    # Both exports carry exactly what the ORM reads, in id order (None as null / an empty CSV cell).
    assert rows == expected
    csv_rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert csv_rows == [{k: "" if v is None else str(v) for k, v in row.items()} for row in expected]
    path = tmp_path / "audit.jsonl"
    path.write_text(jsonl)
    ok = runner.invoke(args=["audit", "verify-export", str(path)])
    assert ok.exit_code == 0 and "OK" in ok.output
    rows[3]["actor_name"] = "Forged"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*rows, manifest]))
    forged = runner.invoke(args=["audit", "verify-export", str(path)])
    assert forged.exit_code == 1 and f"event {rows[3]['id']}" in forged.output
    filtered = client.get("/audit/export.jsonl?action=article.publish").get_data(as_text=True)
    *published, filtered_manifest = [json.loads(line) for line in filtered.splitlines()]
    assert all(row["action"] == "article.publish" for row in published)
    assert filtered_manifest["manifest"]["filtered"] is True
    assert filtered_manifest["manifest"]["filters"] == {"action": "article.publish"}


def _export(client, login, newsroom, tmp_path, name, transform):
    login(newsroom.auditor)
    *rows, manifest = [json.loads(line) for line in client.get("/audit/export.jsonl").get_data(as_text=True).splitlines()]
    rows, manifest = transform(rows, manifest)
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in [*rows, *([manifest] if manifest else [])]))
    return path


def test_a_full_export_with_events_missing_in_the_middle_is_refused(client, login, newsroom, app, runner, tmp_path):
    newsroom.published()
    newsroom.create()

    def drop_middle(rows, manifest):
        del rows[len(rows) // 2]
        manifest["manifest"]["count"] -= 1
        return rows, manifest

    result = runner.invoke(args=["audit", "verify-export", str(_export(client, login, newsroom, tmp_path, "m.jsonl", drop_middle))])
    assert result.exit_code == 1 and "missing" in result.output


def test_a_full_export_cut_at_its_end_is_refused(client, login, newsroom, app, runner, tmp_path):
    newsroom.published()

    def cut_tail(rows, manifest):  # the publication and what follows it, with the manifest made to agree
        rows = rows[:-5]
        manifest["manifest"].update(count=len(rows), last={"id": rows[-1]["id"], "hash": rows[-1]["hash"]})
        return rows, manifest

    result = runner.invoke(args=["audit", "verify-export", str(_export(client, login, newsroom, tmp_path, "t.jsonl", cut_tail))])
    assert result.exit_code == 1 and "signed checkpoint" in result.output
    plain_cut = runner.invoke(args=["audit", "verify-export", str(_export(
        client, login, newsroom, tmp_path, "u.jsonl", lambda rows, manifest: (rows[:-2], manifest)))])
    assert plain_cut.exit_code == 1 and "the manifest lists" in plain_cut.output


def test_an_export_without_its_manifest_is_refused(client, login, newsroom, app, runner, tmp_path):
    newsroom.published()
    path = _export(client, login, newsroom, tmp_path, "n.jsonl", lambda rows, manifest: (rows, None))
    result = runner.invoke(args=["audit", "verify-export", str(path)])
    assert result.exit_code == 1 and "no manifest" in result.output


def test_an_export_checked_against_the_key_one_trusts(client, login, newsroom, app, runner, tmp_path):
    """Someone who rewrote an export and re-signed its checkpoint with a key of their own passes the
    export's own key, not the one published at /transparency."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from editorial.audit.checkpoints import key_id, signed_payload

    newsroom.published()
    trusted = tmp_path / "trusted.pem"
    trusted.write_text(client.get("/transparency/audit-public-key.pem").get_data(as_text=True))
    rogue = Ed25519PrivateKey.generate()

    def resign(rows, manifest):
        cp = manifest["manifest"]["checkpoint"]
        cp["key_id"] = key_id(rogue.public_key())
        cp["signature"] = rogue.sign(signed_payload(cp["event_id"], cp["event_hash"], cp["event_count"],
                                                    cp["created_at"], cp["key_id"])).hex()
        manifest["manifest"]["public_key"] = rogue.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        unsigned = {k: v for k, v in manifest["manifest"].items() if k != "signature"}
        manifest["manifest"]["signature"] = rogue.sign(audit_log.canonical_json(unsigned).encode()).hex()
        return rows, manifest

    path = _export(client, login, newsroom, tmp_path, "r.jsonl", resign)
    assert runner.invoke(args=["audit", "verify-export", str(path)]).exit_code == 0
    checked = runner.invoke(args=["audit", "verify-export", str(path), "--public-key", str(trusted)])
    assert checked.exit_code == 1 and "signature does not verify" in checked.output


def test_evidence_pack(client, login, newsroom, app):
    article = newsroom.published()
    login(newsroom.auditor)
    response = client.get(f"/audit/articles/{article['id']}/evidence.zip")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert set(archive.namelist()) == {"evidence.json", "evidence.html", "evidence.css", "README.txt",
                                          "verify_evidence.py"}
    evidence = json.loads(archive.read("evidence.json"))
    assert {s["printed_name"] for s in evidence["signatures"]} == {"Dr. Rita Review", "Dr. Sam Second"}
    assert all(r["hash_recomputed_matches"] for r in evidence["revisions"])
    signed = [r for r in evidence["revisions"] if r["citations_at_this_revision"]]
    assert signed and signed[-1]["citations_at_this_revision"][0]["key"] == "tom2019"
    assert any(e["action"] == "article.publish" for e in evidence["audit_events"])
    html = archive.read("evidence.html").decode()
    assert "Dr. Sam Second" in html and "MD, PhD" in html
    assert "<main>" in html and "<style" not in html and 'href="evidence.css"' in html


def test_the_evidence_pack_verifies_with_its_own_script_and_catches_an_edit(client, login, newsroom, tmp_path):
    """The pack's script needs only the standard library and `cryptography`: run it outside the project."""
    import subprocess
    import sys

    article = newsroom.published()
    key = tmp_path / "trusted.pem"
    key.write_text(client.get("/transparency/audit-public-key.pem").get_data(as_text=True))
    login(newsroom.auditor)
    zipfile.ZipFile(io.BytesIO(client.get(f"/audit/articles/{article['id']}/evidence.zip").data)).extractall(tmp_path)
    evidence = json.loads((tmp_path / "evidence.json").read_text())
    assert evidence["checkpoints"] and evidence["checkpoints"][0]["event_id"] in {
        e["id"] for e in evidence["audit_events"] if e["action"] == "article.publish"}

    def check():
        return subprocess.run([sys.executable, "-I", "verify_evidence.py", "evidence.json", str(key)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)

    good = check()
    assert good.returncode == 0 and good.stdout.startswith("OK"), good.stdout + good.stderr
    counts = re.findall(r"(\d+) (revision|event|checkpoint|problem)(s?)\b", good.stdout)
    assert len(counts) == 4 and all((n == "1") == (not plural) for n, _, plural in counts), good.stdout  # "1 revision", "3 events"
    publish = next(e for e in evidence["audit_events"] if e["action"] == "article.publish")
    publish["actor_name"] = "Someone Else"
    (tmp_path / "evidence.json").write_text(json.dumps(evidence))
    bad = check()
    assert bad.returncode == 1 and f"event {publish['id']}" in bad.stdout


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# An auditor may manage their own session and account; everything else that writes is refused.
OWN_ACCOUNT = {"auth.sign_in", "auth.sign_out", "auth.account", "auth.issue_token", "auth.revoke_token",
               "auth.end_session", "auth.end_other_sessions", "auth.change_password",
               "two_factor.start", "two_factor.confirm", "two_factor.disable", "two_factor.code"}


def test_an_auditor_cannot_write_anything(app, newsroom, login, client, token_for):
    n = newsroom
    article = n.ready_for_review()
    ids = {"article_id": article["id"], "user_id": n.writer.id, "citation_id": n.citation.id, "comment_id": 1,
           "number": 1, "token_id": 1}
    login(n.auditor)  # (signing in is audited: count after it)
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEvent.id)))
    checked = 0
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & WRITE_METHODS
        if not methods or rule.endpoint in OWN_ACCOUNT or rule.endpoint.startswith("public."):
            continue
        path = rule_path(rule, lambda name: ids.get(name, 1))
        for method in methods:
            if path.startswith("/api/"):
                response = client.open(path, method=method, json={}, headers=n.headers[n.auditor.id])
            else:
                response = client.open(path, method=method, data={})
            assert response.status_code in (403, 404, 422, 400), (method, path, response.status_code)
            assert response.status_code != 500
            checked += 1
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == before
    assert checked > 25


def test_an_export_whose_manifest_claims_to_be_filtered_is_caught(client, login, newsroom, app, runner, tmp_path):
    """Calling a cut export 'filtered' would skip the completeness checks: the manifest is signed."""
    newsroom.published()
    trusted = tmp_path / "trusted.pem"
    trusted.write_text(client.get("/transparency/audit-public-key.pem").get_data(as_text=True))

    def pretend_filtered(rows, manifest):
        rows = rows[:-5]
        manifest["manifest"].update(filtered=True, count=len(rows), last={"id": rows[-1]["id"], "hash": rows[-1]["hash"]})
        return rows, manifest

    path = _export(client, login, newsroom, tmp_path, "f.jsonl", pretend_filtered)
    result = runner.invoke(args=["audit", "verify-export", str(path), "--public-key", str(trusted)])
    assert result.exit_code == 1 and "manifest's signature does not verify" in result.output
    honest = _export(client, login, newsroom, tmp_path, "h.jsonl", lambda rows, manifest: (rows, manifest))
    checked = runner.invoke(args=["audit", "verify-export", str(honest), "--public-key", str(trusted)])
    assert checked.exit_code == 0 and "OK" in checked.output


def test_the_evidence_script_catches_a_revision_rewritten_with_its_hash(client, login, newsroom, tmp_path):
    import hashlib
    import subprocess
    import sys

    article = newsroom.published()
    login(newsroom.auditor)
    zipfile.ZipFile(io.BytesIO(client.get(f"/audit/articles/{article['id']}/evidence.zip").data)).extractall(tmp_path)
    evidence = json.loads((tmp_path / "evidence.json").read_text())
    live = evidence["revisions"][-1]
    live["body"] = "Take 500 mg four times a day [@tom2019]."
    content = {k: live[k] for k in ("title", "summary", "body", "citation_ids")}
    live["content_hash"] = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"),
                                                     ensure_ascii=False).encode()).hexdigest()
    (tmp_path / "evidence.json").write_text(json.dumps(evidence))
    run = subprocess.run([sys.executable, "-I", "verify_evidence.py", "evidence.json"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and f"revision {live['number']}" in run.stdout, run.stdout + run.stderr


def test_the_evidence_pack_states_each_signers_declaration(client, login, newsroom):
    """A signature stores None for "none" (the public page reads it): the pack states what was
    declared, "None declared" or the statement, from the event that recorded the signature."""
    n = newsroom
    aid = n.ready_for_review()["id"]
    statement = "I advise the device's maker."
    n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer2, {"accepted": True, "conflict_of_interest": statement})
    assert n.call("POST", f"/articles/{aid}/reviewers/{n.reviewer2.id}/waive-conflict", n.editor,
                  {"reason": "Disclosed and minor."}).status_code == 200
    assert n.sign(aid, n.reviewer).status_code == 200  # declares "none" as they sign
    assert n.sign(aid, n.reviewer2, conflict_of_interest=None).status_code == 200  # declared on accepting
    login(n.auditor)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/audit/articles/{aid}/evidence.zip").data))
    by_name = {s["printed_name"]: s for s in json.loads(archive.read("evidence.json"))["signatures"]}
    assert by_name["Dr. Rita Review"]["conflict_of_interest"] == "none"
    assert by_name["Dr. Sam Second"]["conflict_of_interest"] == statement
    html = archive.read("evidence.html").decode()
    rows = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1).split("</tr>")
    conflicts = {name: re.search(r'data-label="Conflict">([^<]*)<', row).group(1)
                 for row in rows for name in ("Dr. Rita Review", "Dr. Sam Second") if name in row}
    assert conflicts == {"Dr. Rita Review": "None declared", "Dr. Sam Second": "I advise the device&#39;s maker."}
