"""Finding a comment's passage in a revision's rendered text and marking it (W3C text-quote selectors)."""
from html.parser import HTMLParser

import pytest

from editorial.reviews.annotations import TextQuote, annotate
from editorial.articles.rendering import render_body

VOID = {"br", "hr", "img", "input", "meta", "link"}


class _Structure(HTMLParser):
    """Fails on any end tag that does not close the innermost open element; counts tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        self.text += data


def structure(html: str) -> _Structure:
    parsed = _Structure()
    parsed.feed(html)
    parsed.close()
    assert parsed.stack == [], f"unclosed: {parsed.stack}"
    return parsed


def marked_text(html: str, key: int) -> str:
    """The text inside the marks of one comment, in document order."""

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.depth, self.stack, self.text = 0, [], ""

        def handle_starttag(self, tag, attrs):
            if tag in VOID:
                return
            mine = tag == "mark" and dict(attrs).get("data-comment") == str(key)
            self.stack.append(mine)
            self.depth += mine

        def handle_endtag(self, tag):
            self.depth -= self.stack.pop()

        def handle_data(self, data):
            if self.depth:
                self.text += data

    collect = Collect()
    collect.feed(html)
    return collect.text


def html_of(markdown: str) -> str:
    return render_body(markdown).html


def test_a_passage_is_wrapped_in_a_mark_with_its_id_and_a_link_to_the_comment():
    html = html_of("Radiation lowers the chance that the cancer comes back.")
    result = annotate(html, [TextQuote(7, "the chance that the cancer")])
    assert result.found == {7}
    assert '<mark class="comment-mark" id="passage-7" data-comment="7">the chance that the cancer</mark>' in result.html
    assert 'href="#comment-7"' in result.html
    assert structure(result.html).text.startswith("Radiation lowers the chance that the cancer")


def test_no_quotes_leaves_the_html_as_it_was():
    html = html_of("Some **bold** text & more.")
    assert annotate(html, []).html == html


def test_a_passage_not_in_the_text_is_not_found_and_nothing_is_marked():
    html = html_of("Radiation lowers the chance.")
    result = annotate(html, [TextQuote(1, "surgery removes it")])
    assert result.found == set()
    assert "<mark" not in result.html and "comment-ref" not in result.html


@pytest.mark.parametrize("quote", ["", "   ", "\n\t", None])
def test_an_empty_or_blank_quote_matches_nothing(quote):
    html = html_of("Any text at all.")
    result = annotate(html, [TextQuote(1, quote)])
    assert result.found == set() and "<mark" not in result.html


def test_whitespace_is_normalised_on_both_sides():
    html = html_of("Most people have treatment\non weekdays for three to five weeks.")
    result = annotate(html, [TextQuote(3, "treatment   on\n weekdays")])
    assert result.found == {3}
    assert marked_text(result.html, 3) == "treatment\non weekdays"


def test_a_passage_that_spans_bold_text_and_a_link_is_split_without_breaking_the_html():
    html = html_of("Read **the short guide** and [the long one](https://example.org/guide) before surgery.")
    quote = "short guide and the long one before"
    result = annotate(html, [TextQuote(4, quote)])
    assert result.found == {4}
    parsed = structure(result.html)
    assert marked_text(result.html, 4) == quote
    marks = [attrs for tag, attrs in parsed.tags if tag == "mark"]
    assert len(marks) >= 3  # inside <strong>, between, inside <a>, after
    assert [m.get("id") for m in marks].count("passage-4") == 1  # one id, on the first piece
    assert parsed.text == "Read the short guide and the long one before\u270e surgery.\n"  # ✎: the link to the comment


def test_the_link_back_to_the_comment_is_never_nested_in_the_articles_own_link():
    html = html_of("Read [the long guide](https://example.org/guide) before surgery.")
    result = annotate(html, [TextQuote(5, "Read the long")])
    assert result.found == {5}
    structure(result.html)
    anchor_open = result.html.index('<a href="https://example.org/guide"')
    anchor_close = result.html.index("</a>", anchor_open)
    assert result.html.index('href="#comment-5"') > anchor_close


def test_a_passage_inside_a_citation_link_stays_outside_it_too():
    html = render_body("Tiredness is common [@okafor2020] in the first weeks.", {"okafor2020": 1}).html
    result = annotate(html, [TextQuote(6, "common 1 in")])
    assert result.found == {6}
    structure(result.html)
    assert marked_text(result.html, 6) == "common 1 in"


def test_a_passage_that_occurs_twice_is_told_apart_by_prefix_and_suffix():
    html = html_of("Take one tablet in the morning. Later, take one tablet in the evening.")
    first = annotate(html, [TextQuote(1, "take one tablet", prefix="", suffix="in the evening")])
    assert first.found == {1}
    before_mark = first.html.split("<mark", 1)[0]
    assert "Later, " in before_mark  # the second occurrence (case differs: "Take" vs "take")

    html = html_of("Drink water. Drink water, then rest. Drink water and eat.")
    by_suffix = annotate(html, [TextQuote(2, "Drink water", prefix="then rest.", suffix="and eat")])
    assert by_suffix.html.split("<mark", 1)[0].endswith("then rest. ")
    by_prefix = annotate(html, [TextQuote(3, "Drink water", prefix="Drink water.", suffix=", then")])
    assert by_prefix.html.split("<mark", 1)[0].endswith("Drink water. ")
    no_context = annotate(html, [TextQuote(4, "Drink water")])
    assert no_context.html.split("<mark", 1)[0].endswith("<p>")  # the first one


def test_the_passage_still_stands_when_its_surroundings_change():
    html = html_of("Completely new opening. The dose is ten milligrams daily. A new ending.")
    result = annotate(html, [TextQuote(1, "The dose is ten milligrams", prefix="Old opening.", suffix="weekly")])
    assert result.found == {1}


def test_a_passage_across_paragraphs_is_marked_in_each_and_between_blocks_is_left_alone():
    html = html_of("First paragraph ends here.\n\nSecond paragraph starts here.")
    result = annotate(html, [TextQuote(1, "ends here.\n\nSecond paragraph")])
    assert result.found == {1}
    parsed = structure(result.html)
    assert marked_text(result.html, 1) == "ends here.Second paragraph"
    assert "</p>\n<p>" in result.html


def test_table_cells_keep_marks_inside_the_cells():
    html = html_of("| Drug | Dose |\n|---|---|\n| Tamoxifen | 20 mg |\n")
    result = annotate(html, [TextQuote(1, "Tamoxifen 20 mg")])
    assert result.found == {1}
    structure(result.html)
    for chunk in result.html.split("<mark")[1:]:
        assert chunk.split("</mark>", 1)[0].split(">", 1)[1].strip()  # no whitespace-only mark between cells


def test_hostile_quotes_are_text_and_the_inserted_markup_is_ours_only():
    html = html_of("Type `<script>alert(1)</script>` and \"><img src=x onerror=alert(1)> here.")
    assert "<script" not in html and "<img" not in html
    quotes = [
        TextQuote(1, "<script>alert(1)</script>", label='"><script>alert(2)</script>'),
        TextQuote(2, '"><img src=x onerror=alert(1)>', label="Dr. <b>Bold</b>"),
    ]
    result = annotate(html, quotes)
    assert result.found == {1, 2}
    assert "<script" not in result.html and "<img" not in result.html and "<b>" not in result.html
    parsed = structure(result.html)
    assert {tag for tag, _ in parsed.tags} <= {"p", "code", "mark", "a"}
    for tag, attrs in parsed.tags:
        if tag == "a":
            assert set(attrs) <= {"class", "href", "aria-label", "title"}
    assert marked_text(result.html, 1) == "<script>alert(1)</script>"
    assert marked_text(result.html, 2) == '"><img src=x onerror=alert(1)>'


def test_overlapping_passages_nest_their_marks():
    html = html_of("Radiation lowers the chance that the cancer comes back.")
    result = annotate(html, [TextQuote(1, "lowers the chance"), TextQuote(2, "the chance that the cancer")])
    assert result.found == {1, 2}
    structure(result.html)
    assert marked_text(result.html, 1) == "lowers the chance"
    assert marked_text(result.html, 2) == "the chance that the cancer"
    assert result.html.count('id="passage-1"') == 1 and result.html.count('id="passage-2"') == 1


def test_dimmed_quotes_get_their_own_class():
    html = html_of("Radiation lowers the chance.")
    result = annotate(html, [TextQuote(1, "lowers", dimmed=True)])
    assert 'class="comment-mark comment-mark-resolved"' in result.html


def test_entities_and_non_breaking_spaces_survive():
    html = html_of("Salt &amp; pepper, 5&nbsp;mg, a < b.")
    result = annotate(html, [TextQuote(1, "pepper, 5 mg, a < b")])
    assert result.found == {1}
    assert "&lt; b" in result.html and "&amp;" in result.html
    structure(result.html)


def test_a_short_passage_found_everywhere_in_a_long_body_stays_cheap():
    import time

    html = html_of(("the dose is the same " * 2_000 + "\n\n") * 5)  # 200,000 characters, 40,000 "the"

    def timed(quote):
        started = time.perf_counter()
        result = annotate(html, [quote])
        return result, time.perf_counter() - started

    reading_only = min(timed(TextQuote(1, "not in the text"))[1] for _ in range(3))
    result, everywhere = timed(TextQuote(1, "the", prefix="x" * 64, suffix="y" * 64))
    assert result.found == {1} and result.html.count("<mark") == 1
    # Comparing each occurrence's surroundings costs about as much as reading the text once, not
    # the text's length again for every occurrence (that was 20 times the reading).
    assert everywhere < 10 * reading_only + 0.05, (everywhere, reading_only)
