"""The main pages in headless Chromium at 390 px (a phone) and 1280 px (a laptop): no horizontal
scrolling, every visible form field has an accessible name, and keyboard focus is visible.

The newsroom is set up through the JSON API (fast); each page is then opened by the person who
would use it, and a screenshot of each goes to test-output/screenshots/layout-WIDTH-NAME.png.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the _chromium_available fixture skips these tests (or fails them in CI)
    expect = None

from tests.browser.conftest import SCREENSHOTS, WIDTHS, shot

RIS = """TY  - JOUR
TI  - Intraoperative radiotherapy versus whole-breast external beam radiotherapy for early breast cancer (TARGIT-A): long-term results
AU  - Vaidya, Jayant S
AU  - Bulsara, Max
AU  - Baum, Michael
AU  - Wenz, Frederik
AU  - Massarut, Samuele
AU  - Pigorsch, Steffi
AU  - Alvarado, Michael
JO  - BMJ
PY  - 2020
VL  - 370
SP  - m2836
DO  - 10.1136/bmj.m2836
UR  - https://www.bmj.com/content/370/bmj.m2836/a-very-long-path-segment-without-any-break-opportunities-at-all
ER  - 
"""
BODY = """Radiation therapy uses high-energy rays to destroy cancer cells that may remain after surgery [@vaidya2020].

## Common side effects

| Side effect | When it starts | What helps |
| --- | --- | --- |
| Tiredness | Second or third week | Short walks, rest |
| Skin redness | Second week | Fragrance-free moisturiser |
| Breast swelling | During treatment | A soft, supportive bra |

More at https://www.cancer.example.org/treatment/radiation-therapy/side-effects/skin-changes-and-how-to-care-for-your-skin
"""

# What a "main page" must pass: no horizontal scrolling, labelled fields, valid ARIA references.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1)) {
        wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} (right edge ${Math.round(r.right)}px)`);
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 6)};
}"""

FIELDS_JS = """() => {
  const problems = [];
  const describe = el => `<${el.tagName.toLowerCase()} name="${el.name || ''}" id="${el.id || ''}" type="${el.type || ''}">`;
  const text = id => { const t = document.getElementById(id); return t ? t.textContent.trim() : ''; };
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;              // not rendered
    if (getComputedStyle(el).visibility === 'hidden') continue;
    const byLabel = el.labels && [...el.labels].some(l => l.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim();
    const byRef = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean).some(text);
    if (!byLabel && !byAria && !byRef) problems.push(`${describe(el)} has no accessible name`);
    const invalid = el.getAttribute('aria-invalid');
    if (invalid !== null && !['true', 'false', 'grammar', 'spelling'].includes(invalid))
      problems.push(`${describe(el)} has aria-invalid="${invalid}" (read as "true")`);
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean))
        if (!document.getElementById(id)) problems.push(`${describe(el)} has ${attr} pointing at a missing #${id}`);
    }
  }
  return problems;
}"""

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  // Past a date field's month/day/year, Tab reaches the browser's own calendar button inside the
  // field: the field no longer matches :focus, and Chromium draws that button's focus ring itself.
  const inPicker = /^(date|datetime-local|month|week|time)$/.test(el.type || '') && !el.matches(':focus');
  const outline = inPicker || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0);
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {
    tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.name || '').trim().slice(0, 40),
    visible: Boolean(outline || shadow), outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
    shadow: s.boxShadow, onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth,
  };
}"""


@dataclass(frozen=True)
class Page:
    name: str
    who: str | None  # a key of `people`, or None for an anonymous reader
    path: str
    heading: str  # text the page's h1 contains


def _seed(app, people) -> dict:
    """A published article with two signatures and a table, and one waiting for a reviewer."""
    from editorial.core.extensions import db
    from editorial.accounts.models import User
    from editorial.accounts import service as user_service

    headers = {}
    with app.app_context():
        for key in ("writer", "editor", "reviewer", "reviewer2"):
            _, raw = user_service.issue_token(None, db.session.get(User, people[key].id))
            headers[key] = {"Authorization": f"Bearer {raw}"}
        db.session.commit()
    client = app.test_client()

    def call(who, method, path, json):
        response = client.open(f"/api/v1{path}", method=method, headers=headers[who], json=json)
        assert response.status_code in (200, 201), (path, response.status_code, response.json)
        return response.json

    imported = call("writer", "POST", "/citations/import", {"format": "ris", "text": RIS})
    citation_id = imported["created"][0]["id"]
    assert imported["created"][0]["key"] == "vaidya2020"

    live = call("writer", "POST", "/articles", {
        "title": "Radiation therapy for early breast cancer: what to expect week by week", "topic": "Breast cancer",
        "summary": "How radiation after breast-conserving surgery works, its side effects, and what helps.",
        "body": BODY})
    call("writer", "POST", f"/articles/{live['id']}/citations", {"citation_id": citation_id})
    for reviewer in ("reviewer", "reviewer2"):
        call("editor", "POST", f"/articles/{live['id']}/reviewers", {"user_id": people[reviewer].id})
    submitted = call("writer", "POST", f"/articles/{live['id']}/transitions", {"action": "submit"})
    for reviewer in ("reviewer", "reviewer2"):
        call(reviewer, "POST", f"/articles/{live['id']}/transitions",
             {"action": "approve", "password": people[reviewer].password, "conflict_of_interest": "none",
              "revision": submitted["current_revision"]["number"],
              "content_hash": submitted["current_revision"]["content_hash"]})
    published = call("editor", "POST", f"/articles/{live['id']}/transitions", {"action": "publish"})

    waiting = call("writer", "POST", "/articles", {
        "title": "Lymphedema after breast cancer treatment", "topic": "Breast cancer",
        "summary": "Swelling of the arm after surgery or radiation.",
        "body": "Lymphedema is swelling caused by a build-up of lymph fluid [@vaidya2020]."})
    call("writer", "POST", f"/articles/{waiting['id']}/citations", {"citation_id": citation_id})
    call("editor", "POST", f"/articles/{waiting['id']}/reviewers", {"user_id": people["reviewer"].id})
    call("writer", "POST", f"/articles/{waiting['id']}/transitions", {"action": "submit"})
    return {"live": live["id"], "slug": published["slug"], "version": published["version"],
            "waiting": waiting["id"], "citation": citation_id}


def _pages(ids) -> list[Page]:
    a, b, n = ids["live"], ids["waiting"], ids["version"]
    return [
        Page("sign-in", None, "/sign-in", "Sign in"),
        Page("public-index", None, "/health-topics", "Health topics"),
        Page("public-article", None, f"/health/{ids['slug']}", "Radiation therapy"),
        Page("writer-desk", "writer", "/dashboard/writer", "Writer desk"),
        Page("articles", "writer", "/articles/", "Articles"),
        Page("article-new", "writer", "/articles/new", "New article"),
        Page("article-writer", "writer", f"/articles/{a}", "Radiation therapy"),
        Page("article-edit", "writer", f"/articles/{a}/edit", "Edit"),
        Page("history", "writer", f"/articles/{a}/history", "Revision history"),
        Page("diff", "writer", f"/articles/{a}/diff?from=1&to={n}", f"Revision 1 → {n}"),
        Page("revision", "writer", f"/articles/{a}/revisions/1", "Revision 1"),
        Page("citations", "writer", "/citations/", "Citation library"),
        Page("citation-new", "writer", "/citations/new", "Add a citation"),
        Page("citation-import", "writer", "/citations/import", "Import citations"),
        Page("citation", "writer", f"/citations/{ids['citation']}", "[@vaidya2020]"),
        Page("account", "writer", "/account", ""),
        Page("editor-desk", "editor", "/dashboard/editor", "Senior editor desk"),
        Page("article-editor", "editor", f"/articles/{a}", "Radiation therapy"),
        Page("article-editor-waiting", "editor", f"/articles/{b}", "Lymphedema"),
        Page("attention", "editor", "/attention", ""),
        Page("reviewer-desk", "reviewer", "/dashboard/reviewer", "Physician expert desk"),
        Page("article-reviewer", "reviewer", f"/articles/{b}", "Lymphedema"),
        Page("auditor-desk", "auditor", "/dashboard/auditor", "Auditor desk"),
        Page("audit-log", "auditor", "/audit/", "Audit log"),
        Page("audit-timeline", "auditor", f"/audit/articles/{a}", "Timeline of"),
        Page("audit-manifest", "auditor", f"/audit/articles/{a}/revisions/{n}/manifest", "Signature manifest"),
        Page("audit-as-of", "auditor", f"/audit/articles/{a}/as-of?at=2100-01-01T00:00:00Z", "What readers saw"),
        Page("audit-verify", "auditor", "/audit/verify", "Audit chain"),
        Page("admin-users", "admin", "/admin/users", "Users"),
        Page("evidence", "auditor", f"/audit/articles/{a}/evidence.zip", "Evidence pack"),
    ]


@pytest.fixture
def site(isolated_app, people, live_server, new_context):
    ids = _seed(isolated_app, people)
    return {"pages": _pages(ids), "people": people, "new_context": new_context}


def _contexts(site, width):
    """One context per person at this width, signed in through the page."""
    people, new_context = site["people"], site["new_context"]
    cache = {}

    def page_for(who):
        if who not in cache:
            context = new_context(people[who] if who else None, width=width)
            cache[who] = context.pages[0] if context.pages else context.new_page()
        return cache[who]

    return page_for


def open_evidence_pack(page, path: str) -> None:
    """The evidence pack is a download: unpack it beside its stylesheet and open evidence.html
    from the disk, as an auditor would."""
    import io
    import tempfile
    import zipfile
    from pathlib import Path

    response = page.context.request.get(path)
    assert response.status == 200, f"{path} answered {response.status}"
    folder = Path(tempfile.mkdtemp(prefix="evidence-"))
    zipfile.ZipFile(io.BytesIO(response.body())).extractall(folder)
    page.goto((folder / "evidence.html").as_uri())


def _open(page, spec: Page):
    if spec.path.endswith("evidence.zip"):
        open_evidence_pack(page, spec.path)
        expect(page.get_by_role("heading", level=1).first).to_contain_text(spec.heading)
        return
    response = page.goto(spec.path)
    assert response is not None and response.status == 200, f"{spec.path} answered {response and response.status}"
    if spec.heading:
        expect(page.get_by_role("heading", level=1).first).to_contain_text(spec.heading)


def test_main_pages_fit_both_widths_and_label_every_field(site):
    problems = []
    for label, width in WIDTHS.items():
        page_for = _contexts(site, width)
        for spec in site["pages"]:
            page = page_for(spec.who)
            _open(page, spec)
            shot(page, f"layout-{width}-{spec.name}")
            fit = page.evaluate(OVERFLOW_JS)
            if fit["scrollWidth"] > fit["innerWidth"]:
                problems.append(f"{spec.name} at {width}px scrolls sideways: scrollWidth {fit['scrollWidth']} > "
                                f"{fit['innerWidth']}; too wide: {', '.join(fit['wide']) or '?'}")
            if not page.evaluate("() => document.querySelectorAll('main').length === 1"):
                problems.append(f"{spec.name} at {width}px has no <main> landmark (or more than one)")
            if label == "desktop":  # the fields are the same at both widths; hidden ones are skipped anyway
                problems += [f"{spec.name}: {p}" for p in page.evaluate(FIELDS_JS)]
    assert not problems, "\n".join(["Layout and labelling problems:", *problems])


# The pages whose every focus stop is checked: the forms people work in, and the public page.
FOCUS_PAGES = {
    WIDTHS["desktop"]: ("sign-in", "public-article", "writer-desk", "article-writer", "article-edit", "citation-new",
                        "article-editor", "article-reviewer", "audit-log", "history"),
    WIDTHS["phone"]: ("sign-in", "public-article", "article-reviewer"),
}
MAX_TABS = 60


def test_keyboard_focus_is_always_visible(site):
    """Tab through each of these pages from the top (up to 60 stops): the first stop is the skip
    link, a button is reachable, and every element that takes focus shows it with an outline or a
    box-shadow, on screen."""
    problems, shots_taken = [], {}
    for width, names in FOCUS_PAGES.items():
        page_for = _contexts(site, width)
        for spec in (p for p in site["pages"] if p.name in names):
            page = page_for(spec.who)
            _open(page, spec)
            page.keyboard.press("Tab")
            first = page.evaluate(FOCUS_JS)
            if not first or first["text"] != "Skip to content":
                problems.append(f"{spec.name} at {width}px: the first Tab reaches {first}, not 'Skip to content'")
            seen, buttons = 0, 0
            for _ in range(MAX_TABS):
                focus = page.evaluate(FOCUS_JS)
                if focus is None:  # Tab left the document: every stop was visited
                    break
                seen += 1
                where = f"{spec.name} at {width}px: <{focus['tag']}> '{focus['text']}'"
                if not focus["visible"]:
                    problems.append(f"{where} shows no focus (outline {focus['outline']}, box-shadow {focus['shadow']})")
                if not focus["onScreen"]:
                    problems.append(f"{where} has focus but is off screen")
                buttons += focus["tag"] == "button"
                if focus["tag"] in ("input", "textarea") and not shots_taken.get((width, spec.name)):
                    shots_taken[(width, spec.name)] = True  # what the focus ring looks like on a field
                    page.screenshot(path=str(SCREENSHOTS / f"focus-{width}-{spec.name}.png"))
                page.keyboard.press("Tab")
            if not buttons:
                problems.append(f"{spec.name} at {width}px: no button among the first {seen} focus stops")
    problems = list(dict.fromkeys(problems))  # a date field takes several Tabs (month, day, year)
    assert not problems, "\n".join(["Keyboard focus problems:", *problems])


def test_skip_link_moves_focus_to_the_content(site):
    page = _contexts(site, WIDTHS["phone"])("writer")
    _open(page, site["pages"][3])
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop after the skip link's target is inside <main>, not back in the header.
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
