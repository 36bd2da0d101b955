"""Revision diffs: exact unified and word-level output, escaping, and lossless HTML."""
import re
from html import unescape

import pytest

from editorial.articles import diffing
from editorial.articles.diffing import Row, side_by_side, unified, word_diff_html

OPEN = '<div class="word-diff">'
CLOSE = "</div>"


def test_unified_exact():
    assert unified("a\nb\nc", "a\nB\nc\nd", "Revision 1", "Revision 2") == (
        "--- Revision 1\n+++ Revision 2\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n"
    )


def test_unified_context_and_identical_texts():
    old = "".join(f"{n}\n" for n in range(1, 10))
    assert unified(old, old.replace("5", "FIVE"), "a", "b", context=1) == (
        "--- a\n+++ b\n@@ -4,3 +4,3 @@\n 4\n-5\n+FIVE\n 6\n"
    )
    assert unified("same", "same", "a", "b") == ""


def test_unified_ignores_line_endings_and_final_newline():
    assert unified("x\r\ny", "x\ny\n", "a", "b") == ""
    assert unified("", "new", "a", "b") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+new\n"


def test_unified_labels_stay_on_one_line():
    assert unified("a", "b", "Rev 1\n+++ fake", "Rev 2").splitlines()[:2] == ["--- Rev 1 +++ fake", "+++ Rev 2"]


@pytest.mark.parametrize("old, new, expected", [
    ("The quick brown fox jumps.", "The slow red fox jumps.",
     "The <del>quick brown</del><ins>slow red</ins> fox jumps."),
    ("Take 2 tablets daily.\nRest well.\n", "Take 1 tablet daily.\nRest well.\nDrink water.\n",
     "Take <del>2 tablets</del><ins>1 tablet</ins> daily.\nRest well.\n<ins>Drink water.\n</ins>"),
    ("First sentence. Second one here. Third.", "First sentence. Third.",
     "First sentence. <del>Second one here. </del>Third."),
    ("Line one\nline two", "Line one\n\nline two", "Line one\n<ins>\n</ins>line two"),
    ("Take 2 tablets.", "Take 2 tablet.", "Take 2 <del>tablets</del><ins>tablet</ins>."),
    ("pre-op care", "pre-operative care", "pre-<del>op</del><ins>operative</ins> care"),
    ("foo bar", "foo  bar", "foo <ins> </ins>bar"),
    ("", "New text.", "<ins>New text.</ins>"),
    ("Old text.", "", "<del>Old text.</del>"),
    ("same", "same", "same"),
    ("a\r\nb", "a\nb", "a\nb"),
])
def test_word_diff_exact(old, new, expected):
    assert word_diff_html(old, new) == OPEN + expected + CLOSE


def test_word_diff_escapes_html():
    html = word_diff_html("<script>alert(1)</script> & stay", '<script>alert(2)</script> &amp; "stay"')
    assert html == (
        OPEN + "&lt;script&gt;alert(<del>1</del><ins>2</ins>)&lt;/script&gt; "
        '&amp;<del> </del><ins>amp; "</ins>stay<ins>"</ins>' + CLOSE
    )
    assert "<script" not in word_diff_html("", "<script>x</script><img src=x onerror=alert(1)>")


PAIRS = [
    ("Flu is common. Most people feel better in a week.\n\n- Rest\n- Fluids\n",
     "Flu is very common. Most adults feel better within a week.\n\n- Rest\n- Drink fluids\n- Paracetamol\n"),
    ("One.\nTwo.\nThree.\n", "Three.\nTwo.\nOne.\n"),
    ("word " * 500, "word " * 499 + "changed "),
    ("   leading and trailing   ", "leading\tand\ttrailing"),
    ("emoji 👩‍⚕️ and שלום and e\u0301", "emoji 🩺 and שלום עולם and e\u0302"),
    # Repetitive text: difflib alone would take seconds to minutes on these.
    (" ".join("ab"[i % 2] for i in range(2000)), " ".join("ab"[(i // 3) % 2] for i in range(2000))),
    ("!" * 8000, "!" * 4000 + "?" + "!" * 3999),
    ("a. " * 2000, "a. " * 1000 + "b. " + "a. " * 999),
]


@pytest.mark.parametrize("old, new", PAIRS)
def test_word_diff_is_lossless(old, new):
    body = word_diff_html(old, new)[len(OPEN):-len(CLOSE)]
    old_side = re.sub(r"<ins>.*?</ins>", "", body, flags=re.S)
    new_side = re.sub(r"<del>.*?</del>", "", body, flags=re.S)
    assert unescape(re.sub(r"</?del>", "", old_side)) == old
    assert unescape(re.sub(r"</?ins>", "", new_side)) == new


def test_over_budget_shows_one_change_between_shared_ends(monkeypatch):
    monkeypatch.setattr(diffing, "WORK_BUDGET", 0)
    assert word_diff_html("Take 2 tablets. Rest.", "Take 3 tablets. Rest well.") == (
        OPEN + "Take <del>2 tablets. Rest</del><ins>3 tablets. Rest well</ins>." + CLOSE
    )
    assert word_diff_html("Same.", "Same.") == OPEN + "Same." + CLOSE
    assert side_by_side("a\nb", "a\nc") == [Row("replace", 1, "a", 1, "a"), Row("replace", 2, "b", 2, "c")]


def test_side_by_side_rows():
    assert side_by_side("a\nb\nc\nx", "a\nB\nC2\nD\nc") == [
        Row("equal", 1, "a", 1, "a"),
        Row("replace", 2, "b", 2, "B"),
        Row("insert", None, None, 3, "C2"),
        Row("insert", None, None, 4, "D"),
        Row("equal", 3, "c", 5, "c"),
        Row("delete", 4, "x", None, None),
    ]
    assert side_by_side("", "") == []


def test_reference_changes_name_what_was_added_removed_and_moved():
    from types import SimpleNamespace

    a, b, c, d = (SimpleNamespace(id=i, key=k) for i, k in ((2, "a"), (3, "b"), (7, "c"), (10, "d")))
    changes = diffing.reference_changes([a, b, c], [c, a, d])
    assert [(e.citation.key, e.position) for e in changes.added] == [("d", 3)]
    assert [(e.citation.key, e.position) for e in changes.removed] == [("b", 2)]
    # c went from the end to the start; a only shifted as others came and went around it.
    assert [(e.citation.key, e.from_position, e.to_position) for e in changes.moved] == [("c", 3, 1)]
    assert changes and not diffing.reference_changes([a, b], [a, b])
    # A removal shifts what follows without moving it.
    assert not diffing.reference_changes([a, b, c], [b, c]).moved
