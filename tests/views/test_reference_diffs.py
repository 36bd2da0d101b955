"""Diffs name references by their formatted text and key, never by database ids: on the page,
in the API's diff and in the evidence pack."""
import io
import json
import zipfile

def page(response) -> str:
    return response.get_data(as_text=True)


def reworked_references(n, client, login):
    """Revision 4 cites tom2019, second2020, third2021; revision 5 moves third2021 up; revision 6
    detaches tom2019; revision 7 attaches fourth2022: third2021, second2020, fourth2022."""
    second = n.make_citation(key="second2020")
    third = n.make_citation(key="third2021")
    fourth = n.make_citation(key="fourth2022")
    aid = n.create()["id"]
    for citation in (n.citation, second, third):
        n.attach(aid, citation.id)
    login(n.writer)
    assert client.post(f"/articles/{aid}/citations/{third.id}/move", data={"base_version": "4", "direction": "up"}).status_code == 302
    assert n.call("DELETE", f"/articles/{aid}/citations/{n.citation.id}", n.writer).status_code == 200
    n.attach(aid, fourth.id)
    return aid, third, fourth


def test_the_diff_page_names_references_added_removed_and_moved(client, login, newsroom, count_queries):
    n = newsroom
    aid, third, fourth = reworked_references(n, client, login)
    with count_queries() as counted:
        html = page(client.get(f"/articles/{aid}/diff?from=4&to=7"))
    assert "Citation ids" not in html
    assert "Added" in html and fourth.formatted in html and "[@fourth2022]" in html
    assert "Removed" in html and n.citation.formatted in html and "[@tom2019]" in html
    assert "Moved" in html and "[@third2021]" in html and "from 3 to 1" in html
    assert "[@second2020]" not in html  # it only shifted as others came and went
    with count_queries() as fewer:
        client.get(f"/articles/{aid}/diff?from=1&to=2")
    # the session; the article; the two revisions; the citations of both in one query, however many; plus the
    # test's savepoint pair
    assert counted.count == fewer.count == 7, fewer.statements


def test_the_api_diff_adds_references_and_keeps_the_rest(client, login, newsroom):
    n = newsroom
    aid, third, fourth = reworked_references(n, client, login)
    diff = n.call("GET", f"/articles/{aid}/diff?from=4&to=7", n.writer).json
    assert set(diff) == {"from", "to", "unified", "references"}
    assert "References (citation ids, in order)" in diff["unified"]  # unchanged for existing clients
    refs = diff["references"]
    assert refs["added"] == [{"id": fourth.id, "key": "fourth2022", "formatted": fourth.formatted, "position": 3}]
    assert [(r["key"], r["position"]) for r in refs["removed"]] == [("tom2019", 1)]
    assert [(r["key"], r["from"], r["to"]) for r in refs["moved"]] == [("third2021", 3, 1)]
    same = n.call("GET", f"/articles/{aid}/diff?from=7&to=7", n.writer).json["references"]
    assert same == {"added": [], "removed": [], "moved": []}


def test_the_evidence_pack_names_reference_changes(client, login, newsroom):
    n = newsroom
    aid, third, fourth = reworked_references(n, client, login)
    login(n.auditor)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/audit/articles/{aid}/evidence.zip").data))
    revisions = {r["number"]: r for r in json.loads(archive.read("evidence.json"))["revisions"]}
    assert revisions[1]["reference_changes"] is None
    assert [(r["key"], r["from"], r["to"]) for r in revisions[5]["reference_changes"]["moved"]] == [("third2021", 3, 2)]
    sixth = revisions[6]["reference_changes"]
    assert [(r["key"], r["position"]) for r in sixth["removed"]] == [("tom2019", 1)] and sixth["moved"] == []
    assert revisions[7]["reference_changes"]["added"][0]["formatted"] == fourth.formatted
    html = archive.read("evidence.html").decode()
    assert f"Added as reference 3: {fourth.formatted} [@fourth2022]" in html
    assert f"Removed (was reference 1): {n.citation.formatted}" in html
    assert "Moved from reference 3 to 2: " in html
