"""Markdown rendering: no executable HTML gets out, citations number correctly, and
odd input (huge lines, RTL, emoji, control characters) renders without error."""
import re
from html.parser import HTMLParser

import pytest

from editorial.articles.rendering import ALLOWED_TAGS, inline_citation_keys, plain_text, render_body, sanitize
from tests.conftest import shared_path

FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "style", "object", "embed", "applet", "svg",
    "math", "img", "base", "link", "meta", "form", "input", "button", "textarea",
    "noscript", "template", "video", "audio", "source", "details", "body",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background",
                  "poster", "srcset", "cite", "codebase", "lowsrc", "dynsrc"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")  # browsers skip these in a scheme


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_no_vector(html: str) -> None:
    """Fail if the HTML holds any way to run script or load active content."""
    assert "<script" not in html.lower()
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.found:
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name not in {"style", "srcdoc"}, (name, html)
            if name in URL_ATTRIBUTES and value is not None:
                # HTMLParser has already decoded entities once, as a browser does.
                scheme = _IGNORED_IN_SCHEME.sub("", value).lower()
                assert not scheme.startswith(BAD_SCHEMES), (name, value, html)


XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java\x00script:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[a](https://example.org \"t\\\" onmouseover=\\\"alert(1)\")",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x\"onerror=\"alert(1)](x)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<div onclick=alert(1)>x</div><x onmouseover=alert(1)>y</x>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><input type=submit formaction=javascript:alert(1)>",
    "<a href=\"#\" style=\"position:fixed;top:0\">overlay</a>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "[@\"><script>alert(1)</script>]",
    "[@a\" onmouseover=\"alert(1)]",
    "<sup class=\"cite\" onmouseover=alert(1)>1</sup>",
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |",
]


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_xss_corpus_renders_without_a_vector(source):
    html = render_body(source).html
    assert_no_vector(html)
    assert_no_vector(render_body(source, {"a": 1}).html)


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_sanitizer_alone_stops_the_corpus_as_raw_html(source):
    # Defence in depth: even HTML that reached nh3 unescaped loses every vector.
    assert_no_vector(sanitize(source))


def test_raw_html_is_shown_as_text():
    html = render_body("<b>bold</b> & <script>alert(1)</script>").html
    assert html == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_big_list_of_naughty_strings_line_by_line():
    lines = shared_path("samples", "naughty", "blns.txt").read_text(encoding="utf-8").splitlines()
    for line in lines:
        assert_no_vector(render_body(line).html)
        plain_text(line)
        inline_citation_keys(line)
    assert_no_vector(render_body("\n".join(lines)).html)


# --- citations -------------------------------------------------------------------

def test_citations_numbered_by_first_appearance():
    body = render_body("Fact [@smith2020]. Others [@jones:2019; @smith2020]. Again [@smith2020].")
    assert body.cited_keys_in_order == ["smith2020", "jones:2019"]
    assert body.html == (
        '<p>Fact <sup class="cite"><a href="#ref-1" id="cite-1-1">1</a></sup>. '
        'Others <sup class="cite"><a href="#ref-2" id="cite-2-1">2</a>,'
        '<a href="#ref-1" id="cite-1-2">1</a></sup>. '
        'Again <sup class="cite"><a href="#ref-1" id="cite-1-3">1</a></sup>.</p>\n'
    )


def test_citations_use_given_numbers_and_mark_missing_keys():
    body = render_body("A [@b]. B [@zz]. C [@a; @zz].", {"a": 1, "b": 2})
    assert body.cited_keys_in_order == ["b", "zz", "a"]
    assert body.html == (
        '<p>A <sup class="cite"><a href="#ref-2" id="cite-2-1">2</a></sup>. '
        'B <sup class="cite cite-missing" title="No reference for: zz">[?]</sup>. '
        'C <sup class="cite cite-missing" title="No reference for: zz">'
        '<a href="#ref-1" id="cite-1-1">1</a>,[?]</sup>.</p>\n'
    )


def test_citation_key_characters_and_spacing():
    assert inline_citation_keys("[@a_b-c:d.e] [ @x ;@y ] [@bad key] [@] [@a/b]") == ["a_b-c:d.e", "x", "y"]


def test_duplicate_keys_in_one_group_cite_once():
    body = render_body("x [@a; @a]")
    assert body.html.count("<a ") == 1


def test_citations_in_code_stay_literal():
    source = "Use `[@inline]` here.\n\n```\n[@fenced]\n```\n\n    [@indented]\n\nReal [@real]."
    assert inline_citation_keys(source) == ["real"]
    body = render_body(source)
    assert "<code>[@inline]</code>" in body.html
    assert "[@fenced]\n</code></pre>" in body.html
    assert "[@indented]\n</code></pre>" in body.html
    assert body.cited_keys_in_order == ["real"]


def test_handle_link_and_link_text_are_not_citations():
    html = render_body("[@nhs](https://example.org/nhs) and [see [@a] here](/p)").html
    assert html == (
        '<p><a href="https://example.org/nhs" rel="nofollow noopener">@nhs</a> and '
        '<a href="/p">see [@a] here</a></p>\n'
    )
    assert inline_citation_keys("[@nhs](https://example.org/nhs)") == []


# --- structure -------------------------------------------------------------------

def test_headings_lists_and_emphasis():
    html = render_body("# One\n\n## Two\n\n- *a*\n- **b**\n\n3. three\n4. four\n\n> quote\n\n---").html
    assert html == (
        "<h1>One</h1>\n<h2>Two</h2>\n<ul>\n<li><em>a</em></li>\n<li><strong>b</strong></li>\n</ul>\n"
        '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'
        "<blockquote>\n<p>quote</p>\n</blockquote>\n<hr>\n"
    )


def test_table_alignment_becomes_classes():
    html = render_body("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |").html
    assert 'style' not in html
    assert '<th class="align-left">a</th>' in html
    assert '<th class="align-center">b</th>' in html
    assert '<td class="align-right">3</td>' in html


def test_links_schemes_and_rel():
    html = render_body(
        "[ext](https://example.org/x) [rel](/articles/flu) [frag](#ref-1) "
        "[mail](mailto:help@example.org) [tel](tel:+441234) [ftp](ftp://example.org/f)"
    ).html
    assert '<a href="https://example.org/x" rel="nofollow noopener">ext</a>' in html
    assert '<a href="/articles/flu">rel</a>' in html
    assert '<a href="#ref-1">frag</a>' in html
    assert '<a href="mailto:help@example.org">mail</a>' in html  # no host, so no rel
    assert '<a href="tel:+441234">tel</a>' in html
    assert "<a>ftp</a>" in html  # scheme not allowed: href dropped, text kept


def test_images_render_as_alt_text():
    html = render_body("See ![a *chart* of dose](https://example.org/c.png \"t\").").html
    assert html == "<p>See a chart of dose.</p>\n"


# --- odd input -------------------------------------------------------------------

def test_control_characters_are_removed_before_parsing():
    html = render_body("a\x00b\x01c\x1f\x7fd\te\r\nf").html
    assert html == "<p>abcd\te\nf</p>\n"
    assert_no_vector(render_body("<scr\x00ipt>x</scr\x00ipt>").html)


def test_lone_surrogate_does_not_break_rendering():
    assert render_body("bad \ud800 char").html == "<p>bad \ufffd char</p>\n"


def test_one_megabyte_single_line():
    line = ("Paracetamol is safe for most adults [@ref1] when taken as directed. " * 15_000)[:1_000_000]
    body = render_body(line)
    assert body.html.startswith("<p>Paracetamol")
    assert body.cited_keys_in_order == ["ref1"]
    assert plain_text(line) == line.replace(" [@ref1]", "").strip()


def test_right_to_left_emoji_and_combining_characters_survive():
    text = "שלום עולם — مرحبا \u202eevil\u202c 👩\u200d⚕️🩺 e\u0301\u0302 Z\u0351\u0360\u036f"
    assert render_body(text).html == f"<p>{text}</p>\n"
    assert plain_text(text) == text


def test_deep_nesting_is_bounded():
    assert_no_vector(render_body("> " * 5_000 + "deep").html)
    assert_no_vector(render_body("- " * 5_000 + "deep").html)


def test_empty_body():
    assert render_body("").html == ""
    assert render_body("").cited_keys_in_order == []
    assert plain_text("") == ""


# --- plain text ------------------------------------------------------------------

def test_plain_text_drops_markup_citations_and_code_blocks():
    source = (
        "# Flu\n\nMost people [@a] feel *better* in a [week](https://example.org).\n"
        "Rest.  \nDrink `water`.\n\n- Fever\n- Cough\n\n```\nnot prose\n```\n\n"
        "![A thermometer](x.png)\n\n&lt;b&gt; &amp; <b>"
    )
    assert plain_text(source) == (
        "Flu\n\nMost people feel better in a week. Rest.\nDrink water.\n\n"
        "Fever\n\nCough\n\nA thermometer\n\n<b> & <b>"
    )
