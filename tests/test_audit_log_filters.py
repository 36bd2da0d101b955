"""The audit log's filters in words an auditor knows: the article by title, the actor by name,
the action from the list the app records, the date format up front, and newest first."""
import ast
import re
from pathlib import Path

from editorial.audit import chain as audit
from editorial.articles.workflow import Action

ROW = r'<td data-label="#">(\d+)</td>'


def test_every_action_the_code_records_is_in_the_list():
    """Scan every audit.record(...) call: literal names, both branches of a conditional, and the
    two f-strings whose parts are known. A new call site with an unknown shape fails here."""
    expansions = {
        "f'article.{action}'": {f"article.{a.value}" for a in Action} | {"article.approval_voided"},
        "f'schedule.{status}'": {"schedule.cancelled", "schedule.voided", "schedule.applied"},
    }
    used, unknown = set(), []
    for path in Path(audit.__file__).parent.parent.rglob("*.py"):  # the whole package
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                used.add(arg.value)
            elif isinstance(arg, ast.IfExp) and all(isinstance(b, ast.Constant) for b in (arg.body, arg.orelse)):
                used |= {arg.body.value, arg.orelse.value}
            elif ast.unparse(arg) in expansions:
                used |= expansions[ast.unparse(arg)]
            else:
                unknown.append(f"{path.name}:{node.lineno} {ast.unparse(arg)}")
    assert not unknown, f"audit.record calls whose action names this test cannot list: {unknown}"
    assert used, "no audit.record call found"
    assert sorted(used - set(audit.ACTIONS)) == [], "recorded but missing from audit.ACTIONS"
    assert sorted(set(audit.ACTIONS) - used) == [], "in audit.ACTIONS but never recorded"


def test_pick_the_article_by_title_the_actor_by_name_and_the_action_from_a_list(client, login, newsroom):
    n = newsroom
    wanted = n.create(title="Hot flashes after treatment")
    other = n.create(title="Fatigue and exercise")
    login(n.auditor)
    html = client.get("/audit/").get_data(as_text=True)
    assert '<input id="article" name="article"' in html and 'list="article-titles"' in html
    assert '<datalist id="article-titles">' in html and '<option value="Hot flashes after treatment">' in html
    assert f'<option value="{n.writer.id}">Wanda Writer</option>' in html  # the actor select, by name
    assert '<select id="action" name="action">' in html and '<option value="article.publish">' in html
    assert "for example 2026-01-31 or 2026-01-31T12:00:00Z" in html  # the format, before any error

    by_title = client.get("/audit/?article=hot FLASHES").get_data(as_text=True)
    assert f'href="/audit/articles/{wanted["id"]}"' in by_title
    assert f'href="/audit/articles/{other["id"]}"' not in by_title
    by_id = client.get(f"/audit/?article_id={other['id']}").get_data(as_text=True)  # old links still work
    assert f'href="/audit/articles/{other["id"]}"' in by_id and f'href="/audit/articles/{wanted["id"]}"' not in by_id

    created = client.get(f"/audit/?actor_id={n.writer.id}&action=article.created").get_data(as_text=True)
    assert len(re.findall(ROW, created)) == 2 and "revision.saved" not in created.split("<tbody>")[1]
    nothing = client.get("/audit/?article=no such title").get_data(as_text=True)
    assert "No events match." in nothing


def test_newest_first_pages_both_ways(client, login, newsroom):
    for _ in range(8):
        newsroom.ready_for_review()
    login(newsroom.auditor)
    oldest = client.get("/audit/").get_data(as_text=True)
    newest = client.get("/audit/?order=newest").get_data(as_text=True)
    oldest_ids = [int(i) for i in re.findall(ROW, oldest)]
    newest_ids = [int(i) for i in re.findall(ROW, newest)]
    assert oldest_ids == sorted(oldest_ids) and newest_ids == sorted(newest_ids, reverse=True)
    assert newest_ids[0] > oldest_ids[-1]
    assert '<option selected value="newest">' in newest

    pages, html = [newest_ids], newest
    while (match := re.search(r'<a rel="next" href="([^"]+)"', html)):
        html = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
        assert "order=newest" in match.group(1)
        pages.append([int(i) for i in re.findall(ROW, html)])
    every = [i for page in pages for i in page]
    assert every == sorted(every, reverse=True) and len(every) == len(set(every))
    assert every[-1] == oldest_ids[0] and len(pages) > 1  # down to the oldest event (ids never restart on PostgreSQL)
