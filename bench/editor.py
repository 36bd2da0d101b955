"""How long the edit page (the Markdown editor, #19) takes to load, in-process and in Chromium.

    .venv/bin/python -m bench.editor [--repeat 7] [--size 20000]

On a temporary SQLite database with a draft of --size characters citing three sources, it prints
the median time of GET /articles/<id>/edit through the Flask test client (server time only),
then, served on 127.0.0.1 by werkzeug and loaded by Debian's headless Chromium (Playwright),
the median navigation time to DOMContentLoaded and to load (the editor is built at
DOMContentLoaded: its scripts are deferred), and to the first preview shown. Figures: bench/README.md.
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time

from bench.render import PASSWORD, migrated_app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--size", type=int, default=20_000)
    args = parser.parse_args(argv)

    from werkzeug.serving import make_server

    from editorial.accounts.sign_in import sign_in_client
    from editorial.core.extensions import db
    from editorial.citations.models import Citation
    from editorial.articles import editing
    from editorial.accounts import service as users

    app = migrated_app("editor")
    with app.app_context():
        writer = users.create_user(None, email="w@bench.example", name="W", password=PASSWORD, roles=["writer"])
        db.session.flush()
        sources = [Citation(key=f"bench{n}", title=f"A study {n}", fingerprint=f"a study {n}", year=2024, formatted="Doe J.")
                   for n in range(3)]
        db.session.add_all(sources)
        db.session.flush()
        paragraph = "Radiation after surgery lowers the risk of the cancer coming back [@bench0]. "
        body = "## Why\n\n" + (paragraph * (args.size // len(paragraph) + 1))[:args.size]
        article = editing.create_article(writer, title="A draft", body=body)
        editing.set_citations(writer, article, [s.id for s in sources], base_version=1, note="Sources")
        db.session.commit()
        article_id, writer_id = article.id, writer.get_id()

    client = app.test_client()
    sign_in_client(client, writer_id, user_agent="bench")
    path = f"/articles/{article_id}/edit"
    client.get(path)  # warm up
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append(time.perf_counter() - start)
    print(f"in-process GET {path}: median {statistics.median(times) * 1000:.1f} ms ({args.repeat} runs)")

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Chromium: playwright is not installed")
        return 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            context = browser.new_context(base_url=base)
            page = context.new_page()
            page.goto("/sign-in")
            page.get_by_label("E-mail").fill("w@bench.example")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/sign-in" not in url)
            page.goto(path)  # warm the browser's cache of the static files, as a writer's browser has
            dcl, load, preview, parts = [], [], [], []
            for _ in range(args.repeat):
                page.evaluate("localStorage.clear()")
                page.goto(path, wait_until="load")
                page.wait_for_selector("#preview h2")
                timing = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
                    return [n.domContentLoadedEventEnd, n.loadEventEnd, n.responseEnd, n.domInteractive]; }""")
                parts.append(timing[2:])
                dcl.append(timing[0])
                load.append(timing[1])
                preview.append(page.evaluate("performance.now()"))
            print(f"Chromium {path}: median DOMContentLoaded {statistics.median(dcl):.0f} ms, load {statistics.median(load):.0f} ms, "
                  f"first preview shown by {statistics.median(preview):.0f} ms ({args.repeat} runs, cached static files)")
            print("  (response end, DOM interactive) per run:", [tuple(round(x) for x in p) for p in parts])
            context.close()
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
