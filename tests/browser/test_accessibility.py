"""axe-core on the main pages in headless Chromium at 1280 and 390 px: no violation of impact
"serious" or "critical".

axe-core is vendored (tests/browser/vendor/axe.min.js, its LICENSE and VERSION) so that running the
tests needs no Node. The strict CSP forbids inline scripts, so the source is evaluated through the
DevTools protocol (page.evaluate), which the page's CSP does not govern.
"""
from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import WIDTHS
from tests.browser.test_layout import Page, _contexts, _open, site  # noqa: F401  (site is a fixture)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")

# The main pages, by their name in test_layout's list, plus the administrator's desk.
MAIN_PAGES = (
    "sign-in", "writer-desk", "editor-desk", "reviewer-desk", "auditor-desk", "articles", "article-writer",
    "article-reviewer", "article-edit", "history", "diff", "citations", "audit-log", "evidence", "admin-users",
    "account", "public-index", "public-article",
)
EXTRA_PAGES = (Page("admin-desk", "admin", "/dashboard/admin", "Administrator desk"),)

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                          summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')})),
    count: v.nodes.length,
  }));
}"""


def _axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE)


def test_main_pages_have_no_serious_or_critical_axe_violation(site):
    pages = [p for p in site["pages"] if p.name in MAIN_PAGES] + list(EXTRA_PAGES)
    assert {p.name for p in pages} >= set(MAIN_PAGES), "a main page is missing from test_layout's list"
    found = []
    for width in WIDTHS.values():
        page_for = _contexts(site, width)
        for spec in pages:
            page = page_for(spec.who)
            _open(page, spec)
            for violation in _axe(page):
                if violation["impact"] in BLOCKING:
                    found.append((spec.name, width, violation))
    lines = []
    for name, width, v in found:
        lines.append(f"{name} at {width}px: {v['id']} ({v['impact']}, {v['count']} nodes): {v['help']}")
        lines += [f"    {n['target']}  {n['html']}  — {n['summary']}" for n in v["nodes"]]
    assert not found, "\n".join(["axe-core found serious or critical violations:", *lines])
