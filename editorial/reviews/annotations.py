"""Comment passages found and marked in a revision's rendered text (W3C Web Annotation text-quote selectors).

A quoting comment keeps a text-quote selector: the exact text, and up to a few dozen characters
of the rendered text before (prefix) and after (suffix) it, as the browser saw them. Matching:
- Text is the concatenated text of the sanitised HTML, whitespace-normalised: every run of
  whitespace, and every block boundary (paragraph, list item, cell, ...), counts as one space.
  editorial/static/js/quote.js builds the same text in the browser.
- The passage stands if the exact text occurs. When it occurs more than once, the occurrence
  whose surroundings agree longest with the prefix (read backwards) and the suffix (read forwards)
  wins; ties go to the first. A changed prefix or suffix alone does not unseat a passage.
- A passage is wrapped in `<mark class="comment-mark" data-comment="N">` elements, one per text
  node it touches (so it splits cleanly across bold text, links and paragraphs); the first has
  id="passage-N". After its last piece, outside any of the article's own links (links never nest),
  a link `<a class="comment-ref" href="#comment-N">` leads to the comment.

The input must be the sanitiser's output (editorial.articles.rendering). Everything inserted is built
here from integers and escaped labels; the article's own tags are copied as they were and its
text is re-escaped, so the sanitiser's guarantee holds for the result.
"""
from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Iterable

# Boundaries of these elements separate words even when no whitespace is written between them.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# Whitespace-only text is marked only inside these: elsewhere (between list items, table rows)
# a <mark> would be misplaced, and in a table the browser would move it out of the table.
_PHRASING_PARENTS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "pre", "em", "strong", "a", "code", "sup", "mark",
})
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
REF_SYMBOL = "\u270e"  # ✎, the visible text of the link to the comment


@dataclass(frozen=True)
class TextQuote:
    """A comment's selector: `key` is the comment id (ids passage-KEY and #comment-KEY)."""

    key: int
    exact: str | None
    prefix: str | None = None
    suffix: str | None = None
    label: str = "Go to the comment on this passage"
    dimmed: bool = False  # a resolved comment, shown faintly


@dataclass(frozen=True)
class Annotated:
    html: str
    found: frozenset[int]  # keys whose passage stands in this text


def normalise(text: str | None) -> str:
    """Whitespace runs as single spaces, trimmed."""
    return " ".join((text or "").split())


def annotate(html: str, quotes: Iterable[TextQuote]) -> Annotated:
    """The HTML with each standing passage marked, and which passages stand."""
    quotes = [q for q in quotes if normalise(q.exact)]
    if not quotes:
        return Annotated(html, frozenset())
    tokens = _tokenise(html)
    text, where = _flat_text(tokens)
    pieces: dict[int, list[tuple[int, int, TextQuote]]] = {}  # token index -> (start, end, quote)
    last_token: dict[int, int] = {}
    found = set()
    for quote in quotes:
        position = _locate(text, quote)
        if position is None:
            continue
        spans: dict[int, list[int]] = {}
        for token_index, offset in filter(None, where[position[0]:position[1]]):
            spans.setdefault(token_index, []).append(offset)
        spans = {i: offsets for i, offsets in spans.items() if tokens[i].markable}
        if not spans:
            continue
        found.add(quote.key)
        for token_index, offsets in spans.items():
            pieces.setdefault(token_index, []).append((min(offsets), max(offsets) + 1, quote))
        last_token[quote.key] = max(spans)
    return Annotated(_serialise(tokens, pieces, last_token), frozenset(found))


@dataclass
class _Token:
    kind: str  # "text" | "start" | "end" | "other"
    raw: str = ""  # the markup as written, for tags and comments
    tag: str = ""
    data: str = ""  # decoded text, for text
    markable: bool = True


class _Tokeniser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[_Token] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(_Token("start", raw=self.get_starttag_text(), tag=tag))
        if tag not in _VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(_Token("start", raw=self.get_starttag_text(), tag=tag))

    def handle_endtag(self, tag):
        self.tokens.append(_Token("end", raw=f"</{tag}>", tag=tag))
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data):
        parent = self.open[-1] if self.open else ""
        self.tokens.append(_Token("text", data=data, markable=bool(data.strip()) or parent in _PHRASING_PARENTS))

    def handle_comment(self, data):
        self.tokens.append(_Token("other", raw=f"<!--{data}-->"))


def _tokenise(html: str) -> list[_Token]:
    parser = _Tokeniser()
    parser.feed(html)
    parser.close()
    return parser.tokens


def _flat_text(tokens: list[_Token]) -> tuple[str, list[tuple[int, int] | None]]:
    """The normalised text, and for each of its characters the (token, offset) it came from
    (None for a space standing for a block boundary)."""
    chars: list[str] = []
    where: list[tuple[int, int] | None] = []

    def space(source):
        if chars and chars[-1] != " ":
            chars.append(" ")
            where.append(source)

    for index, token in enumerate(tokens):
        if token.kind == "text":
            for offset, char in enumerate(token.data):
                if char.isspace():
                    space((index, offset))
                else:
                    chars.append(char)
                    where.append((index, offset))
        elif token.kind in ("start", "end") and token.tag in BLOCK_TAGS:
            space(None)
    return "".join(chars), where


def _locate(text: str, quote: TextQuote) -> tuple[int, int] | None:
    exact = normalise(quote.exact)
    prefix, suffix = normalise(quote.prefix), normalise(quote.suffix)
    best, best_score = None, -1
    start = text.find(exact)
    while start != -1:
        end = start + len(exact)
        # Only as much text as the context is long (and the one space beside the passage) is compared,
        # so a short passage found thousands of times in a long body stays cheap.
        before = text[max(0, start - len(prefix) - 1):start].rstrip()
        after = text[end:end + len(suffix) + 1].lstrip()
        score = _common_prefix(before[::-1], prefix[::-1]) + _common_prefix(after, suffix)
        if score > best_score:
            best, best_score = (start, end), score
        start = text.find(exact, start + 1)
    return best


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _serialise(tokens: list[_Token], pieces, last_token: dict[int, int]) -> str:
    out: list[str] = []
    anchors_open = 0
    pending_refs: list[TextQuote] = []  # links to comments waiting for the article's own link to close
    given_id: set[int] = set()
    for index, token in enumerate(tokens):
        if token.kind != "text":
            out.append(token.raw)
            if token.tag == "a" and token.kind == "start":
                anchors_open += 1
            elif token.tag == "a" and token.kind == "end":
                anchors_open = max(0, anchors_open - 1)
                if anchors_open == 0:
                    out.extend(_ref(q) for q in pending_refs)
                    pending_refs.clear()
            continue
        spans = pieces.get(index)
        if not spans:
            out.append(_escape(token.data))
            continue
        cuts = sorted({0, len(token.data), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
        for left, right in zip(cuts, cuts[1:]):
            covering = [q for s, e, q in spans if s <= left and right <= e]
            for quote in covering:
                out.append(_mark_open(quote, first=quote.key not in given_id))
                given_id.add(quote.key)
            out.append(_escape(token.data[left:right]))
            out.append("</mark>" * len(covering))
            for s, e, quote in spans:
                if e == right and last_token[quote.key] == index:
                    if anchors_open:
                        pending_refs.append(quote)
                    else:
                        out.append(_ref(quote))
    out.extend(_ref(q) for q in pending_refs)
    return "".join(out)


def _escape(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _mark_open(quote: TextQuote, *, first: bool) -> str:
    key = int(quote.key)
    classes = "comment-mark comment-mark-resolved" if quote.dimmed else "comment-mark"
    id_attribute = f' id="passage-{key}"' if first else ""
    return f'<mark class="{classes}"{id_attribute} data-comment="{key}">'


def _ref(quote: TextQuote) -> str:
    key = int(quote.key)
    return (f'<a class="comment-ref" href="#comment-{key}" aria-label="{html_lib.escape(quote.label, quote=True)}">'
            f"{REF_SYMBOL}</a>")


def mark_comments(html: str, comments, *, dim_resolved: bool = False) -> Annotated:
    """`annotate` for review-thread comments (with `author` loaded): resolved ones are left out,
    or shown dimmed with `dim_resolved` (the record of the revision they were written on)."""
    return annotate(html, [
        TextQuote(c.id, c.quote, c.quote_prefix, c.quote_suffix, label=f"Comment by {c.author.name} on this passage",
                  dimmed=c.resolved_at is not None)
        for c in comments if c.quote and (dim_resolved or c.resolved_at is None)
    ])
