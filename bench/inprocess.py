"""The peer's write and log figures were timed in-process through its Python API, without HTTP.
This times ours the same way (the service calls the views and API make, each committed), so that the
comparison can also be read like with like; the target itself is through HTTP (bench/run.py)."""
from __future__ import annotations

import statistics
import time


def median_ms(call, repeat: int) -> float:
    """Median wall time of call(i) for i in range(repeat), in ms."""
    times = []
    for i in range(repeat):
        t = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def measure_in_process(m, url: str, pools, *, repeat: int = 40) -> dict:
    """Median ms per call, keyed like the HTTP operations they correspond to."""
    from bench.generate import CHEAP_HASH, PASSWORD
    from bench.run import body_8kb, draft_payload
    from editorial.audit import log as audit_log
    from editorial import create_app
    from editorial.articles import diffing, queries
    from editorial.core.extensions import db
    from editorial.articles import editing, history as article_history, transitions
    from editorial.accounts.service import find_by_email

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-not-for-production", **CHEAP_HASH})
    out: dict[str, float] = {}
    with app.app_context():
        writer, editor = find_by_email(m.writer), find_by_email(m.editor)
        approvers = [find_by_email(email) for email in m.approvers]

        def committed(work):
            def call(i):
                work(i)
                db.session.commit()
            return call

        def act(actor, pool: list, action: str, **kw):
            def work(i):
                article = article_history.get_article(pool[i], for_update=True)
                transitions.transition(actor, article, action, **kw)
            return work

        out["create_draft"] = median_ms(committed(
            lambda i: editing.create_article(writer, **draft_payload(-1, i))), repeat)

        save_id = pools.take(pools.save)

        def save(i):  # locked as the API's PATCH and the edit page lock it (a text edit: the plain lock)
            article = article_history.get_article(save_id, for_edit=True)
            editing.save_revision(writer, article, base_version=article.version, body=body_8kb(10_000 + i),
                                          note="in-process")
        out["save_revision_8kb"] = median_ms(committed(save), repeat)

        out["submit"] = median_ms(committed(act(writer, [pools.take(pools.submit) for _ in range(repeat)], "submit")),
                                   repeat)
        # Approvals rotate through the approvers (each has its own pool of articles to sign).
        approvals = [(approvers[i % len(approvers)], pools.take(pools.approve[m.approvers[i % len(approvers)]]))
                     for i in range(repeat)]

        def approve(i):
            approver, article_id = approvals[i]
            act(approver, [article_id], "approve", password=PASSWORD, **pools.signing_for(article_id))(0)
        out["approve"] = median_ms(committed(approve), repeat)
        out["publish"] = median_ms(committed(act(editor, [pools.take(pools.publish) for _ in range(repeat)], "publish")),
                                    repeat)

        out["api_revisions_1000"] = median_ms(committed(lambda i: queries.revision_list_json(m.history_article)), repeat)
        old, new = (article_history.get_revision(article_history.get_article(m.diff_article), n) for n in (1, 2))
        old_text, new_text = old.body, new.body
        db.session.commit()
        out["diff_8kb"] = median_ms(lambda i: diffing.word_diff_html(old_text, new_text), repeat)  # uncached
        for name, filters in (("api_audit_by_article", audit_log.AuditFilter(article_id=m.history_article)),
                              ("api_audit_by_actor", audit_log.AuditFilter(actor_id=m.busy_actor))):
            # The first 50 events as the audit log page reads them (by keyset; the API adds a total).
            out[name] = median_ms(committed(
                lambda i, f=filters: [audit_log.event_dict(e) for e in db.session.scalars(audit_log.statement(f).limit(50))]),
                repeat)
        db.engine.dispose()
    return out
