"""Markdown article bodies to safe HTML, and to plain text.

Rules:
- Input hygiene (rendering only; the stored Markdown is never changed): C0 control
  characters other than tab, newline and carriage return, and DEL, are removed; lone
  surrogates become U+FFFD.
- Parsing is markdown-it-py's CommonMark preset plus GFM tables, with raw HTML
  *disabled*: any HTML typed in the body is shown as text, never passed through.
- Every rendering is then sanitised by nh3 (ammonia) against the allow-list below, so
  a parser bug or a future option cannot smuggle markup through.
- Images are not part of the allow-list: a body image would load from any host the
  writer typed (leaking readers' addresses and escaping review), so `![alt](src)`
  renders as its alt text. Figures, if wanted, belong to a reviewed feature.
- Links keep only http, https, mailto and tel URLs and relative ones. Links with a host
  (absolute or protocol-relative URLs) get rel="nofollow noopener"; the site's own
  pages are linked with relative URLs and get no rel.
- Citations are `[@key]` or `[@key1; @key2]`; keys are letters, digits and `_-:.`.
  They are an inline parser rule, so a citation inside a code span or code block stays
  literal, and `[@name](url)` stays a link. Inside link text they stay literal too.
  Each renders as `<sup class="cite"><a href="#ref-N" id="cite-N-K">N</a></sup>`, where
  K counts the occurrences of number N (so ids are unique and `#cite-N-1` is the first).
  Several keys share one <sup>, separated by commas. A key with no number renders as
  `[?]` and gives its <sup> the extra class `cite-missing`.

Cost (bench/render.py): markdown-it's time follows the number of tokens it makes, so a body's
rendering cost is bounded where it is saved (`render_cost`, refused above MAX_RENDER_COST), and a
revision never changes, so what is made of its text is cached (Flask-Caching, Redis when set) under
the SHA-256 of the text, the citation numbering and RENDER_VERSION: a page renders a body at most
once, and a request that needs the HTML, the plain text and the cited keys parses it once.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from flask import g, has_app_context, has_request_context
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")  # not encodable: nh3 would raise

_KEY = r"[A-Za-z0-9_\-:.]+"
_CITATION = re.compile(rf"\[\s*(@{_KEY}(?:\s*;\s*@{_KEY})*)\s*\]")
_ENV_KEY = "vetted_citations"

ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "ul", "ol", "li", "em", "strong", "code", "pre", "a", "sup",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "id"}, "ol": {"start"}, "sup": {"title"}}
# rel is not set freely: the only value allowed is the one this module writes.
ALLOWED_ATTRIBUTE_VALUES = {"a": {"rel": {"nofollow noopener"}}}
_ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
ALLOWED_CLASSES = {"sup": {"cite", "cite-missing"}, "th": _ALIGN_CLASSES, "td": _ALIGN_CLASSES}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_ALLOWED_ID = re.compile(r"cite-\d+-\d+")
EXTERNAL_REL = "nofollow noopener"


@dataclass(frozen=True)
class RenderedBody:
    html: str
    cited_keys_in_order: list[str] = field(default_factory=list)


def clean_input(markdown_text: str) -> str:
    """The text with control characters removed and lone surrogates replaced."""
    return _LONE_SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub("", markdown_text or ""))


# Bump when a change here changes the output, so that cached renderings of old rules are not served.
RENDER_VERSION = 1
_CACHE_SECONDS = 7 * 24 * 3600
# The most tokens (as render_cost estimates them) a body may make: at most about 0.6 s of rendering on
# the machine of bench/README.md (4 to 10 us each), whatever the body's shape. Prose with emphasis and
# a citation in every paragraph makes about 60,000 at the size limit (200,000 characters).
MAX_RENDER_COST = 60_000
_TABLE_DELIMITER = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_INLINE_MARKUP = re.compile(r"[\[\]*_`<!&\\~]")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>|<[^<>\s@]+@[^<>\s@]+>")
# The containers a line opens: list markers and blockquote markers, nested ("- - 1. > a" opens four).
_CONTAINER_MARKERS = re.compile(r"^(?:\s*(?:[-+*]|\d{1,9}[.)]|>)(?=\s|$))+")


def render_body(markdown_text: str, citation_numbers: dict[str, int] | None = None) -> RenderedBody:
    """Sanitised HTML for an article body, and the keys it cites in order of first use.

    With `citation_numbers`, citations show those numbers (unknown keys show `[?]`);
    without, they are numbered 1, 2, ... by first appearance.
    """
    numbering = "auto" if citation_numbers is None else json.dumps(citation_numbers, sort_keys=True)
    return _cached("html", markdown_text, numbering, lambda: _render(markdown_text, citation_numbers))


def _render(markdown_text: str, citation_numbers: dict[str, int] | None) -> RenderedBody:
    tracker = _Citations(citation_numbers)
    raw = _md.renderer.render(_parsed(markdown_text), _md.options, {_ENV_KEY: tracker})
    return RenderedBody(html=sanitize(raw), cited_keys_in_order=tracker.keys_in_order)


def inline_citation_keys(markdown_text: str) -> list[str]:
    """Cited keys in order of first appearance, ignoring code spans and code blocks."""
    def keys() -> list[str]:
        seen: dict[str, None] = {}
        for token in _inline_children(markdown_text):
            if token.type == "citation":
                seen.update(dict.fromkeys(token.meta["keys"]))
        return list(seen)

    return list(_cached("keys", markdown_text, "", keys))


def plain_text(markdown_text: str) -> str:
    """The readable text: one block (paragraph, heading, list item, table cell) per
    paragraph of output, separated by blank lines. Markup, URLs, citations and code
    blocks are dropped (they are not prose); code spans and image alt text are kept.
    """
    def text() -> str:
        blocks = []
        for token in _parsed(markdown_text):
            if token.type == "inline":
                block = _inline_plain(token.children or []).strip()
                if block:
                    blocks.append(block)
        return "\n\n".join(blocks)

    return _cached("text", markdown_text, "", text)


def render_cost(markdown_text: str) -> int:
    """An estimate of the tokens markdown-it makes of a body, in one linear pass without parsing it:
    three a non-blank line (its block's open, inline and close tokens), three more each list or
    quote marker that opens it ("- - a" nests two lists), three a table cell (a table's columns, from
    its delimiter row, times its rows up to the next blank line), one an inline markup character
    (brackets, emphasis, strikethrough, code, entities: each may start a token), one more an emphasis
    delimiter (each is paired with the others), two more an opening bracket (tried as a link label
    even when never closed), four more a link target and six more an autolink. Calibrated on bench/render.py's shapes: 4 to 10 us each on the machine that set
    MAX_RENDER_COST (bench/README.md)."""
    text = clean_input(markdown_text)
    lines = text.split("\n")
    cost = (len(_INLINE_MARKUP.findall(text)) + text.count("*") + text.count("_") + 2 * text.count("[")
            + 4 * text.count("](")
            + 6 * len(_AUTOLINK.findall(text)))
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.strip():
            markers = _CONTAINER_MARKERS.match(line)
            cost += 3 + (3 * len(markers.group().split()) if markers else 0)  # the markers are space-separated
            if "|" in line and index + 1 < len(lines) and "-" in lines[index + 1] \
                    and _TABLE_DELIMITER.match(lines[index + 1]):
                columns = max(1, lines[index + 1].strip().strip("|").count("|") + 1)
                rows = index + 1
                while rows < len(lines) and lines[rows].strip():
                    rows += 1
                cost += 3 * columns * (rows - index - 1) + 3 * (rows - index)
                index = rows
                continue
        index += 1
    return cost


def _digest(markdown_text: str) -> str:
    return hashlib.sha256(clean_input(markdown_text).encode("utf-8", "surrogatepass")).hexdigest()


def cached_for_text(kind: str, markdown_text: str, make, variant: str = ""):
    """What `make` makes of a body's text alone (a pure function of it, such as its readability),
    cached like its rendering."""
    return _cached(kind, markdown_text, variant, make)


def _cached(kind: str, markdown_text: str, variant: str, make):
    """What `make` makes of a text, from the cache when this text (and variant) was seen before."""
    if not has_app_context():
        return make()
    from editorial.core.extensions import cache

    variant_digest = hashlib.sha256(variant.encode("utf-8")).hexdigest()[:32] if variant else "-"
    key = f"render:{RENDER_VERSION}:{kind}:{_digest(markdown_text)}:{variant_digest}"
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, timeout=_CACHE_SECONDS)
    return value


def _parsed(markdown_text: str):
    """markdown-it's tokens for a text, parsed once a request (the HTML, the plain text and the cited
    keys all read them; rendering only sets attributes it sets the same way every time)."""
    text = clean_input(markdown_text)
    if not has_request_context():
        return _md.parse(text, {})
    parses = g.setdefault("markdown_parses", {})
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if digest not in parses:
        parses[digest] = _md.parse(text, {})
    return parses[digest]


def sanitize(html: str) -> str:
    """Run HTML through nh3 with this module's allow-list."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_filter_attribute,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=None,  # rel is written by _render_link_open, for external links only
        strip_comments=True,
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # ids are only ever the citation anchors this module writes; anything else could
    # clobber the page's own ids.
    if attribute == "id":
        return value if _ALLOWED_ID.fullmatch(value) else None
    return value


class _Citations:
    """Numbers citations while a body renders; keeps per-number occurrence counts."""

    def __init__(self, numbers: dict[str, int] | None):
        self.fixed = numbers is not None
        self.numbers = dict(numbers or {})
        self.seen: dict[str, None] = {}  # insertion-ordered set
        self.occurrences: dict[int, int] = {}

    def number(self, key: str) -> int | None:
        if key not in self.seen:
            self.seen[key] = None
            if not self.fixed:
                self.numbers[key] = len(self.numbers) + 1
        return self.numbers.get(key)

    @property
    def keys_in_order(self) -> list[str]:
        return list(self.seen)

    def anchor_id(self, number: int) -> str:
        self.occurrences[number] = self.occurrences.get(number, 0) + 1
        return f"cite-{number}-{self.occurrences[number]}"


def _citation_rule(state, silent: bool) -> bool:
    """Inline rule for `[@key]` / `[@a; @b]`; runs before the link rule."""
    # Silent mode is only used while scanning a link's label: answering "no" there
    # lets `[see [@a]](url)` remain a link (nested brackets), as in plain CommonMark.
    if silent or state.linkLevel > 0 or state.src[state.pos] != "[":
        return False
    match = _CITATION.match(state.src, state.pos, state.posMax)
    if not match:
        return False
    end = match.end()
    if end < state.posMax and state.src[end] == "(":
        return False  # `[@handle](url)` is an ordinary link
    keys = [part.strip()[1:] for part in match.group(1).split(";")]
    token = state.push("citation", "", 0)
    token.meta = {"keys": list(dict.fromkeys(keys))}
    state.pos = end
    return True


def _render_citation(self, tokens, idx, options, env) -> str:
    tracker: _Citations = env[_ENV_KEY]
    parts, missing = [], []
    for key in tokens[idx].meta["keys"]:
        number = tracker.number(key)
        if number is None:
            missing.append(key)
            parts.append("[?]")
        else:
            anchor = tracker.anchor_id(number)
            parts.append(f'<a href="#ref-{number}" id="{anchor}">{number}</a>')
    if not missing:
        return f'<sup class="cite">{",".join(parts)}</sup>'
    title = escapeHtml("No reference for: " + ", ".join(missing))
    return f'<sup class="cite cite-missing" title="{title}">{",".join(parts)}</sup>'


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if _is_external(token.attrGet("href") or ""):
        token.attrSet("rel", EXTERNAL_REL)
    return self.renderToken(tokens, idx, options, env)


def _is_external(href: str) -> bool:
    try:
        parts = urlsplit(href)
    except ValueError:  # e.g. a malformed IPv6 host; nh3 decides whether it stays
        return True
    return bool(parts.netloc) and parts.scheme.lower() in ("http", "https", "")


def _render_image(self, tokens, idx, options, env) -> str:
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _render_table_cell(self, tokens, idx, options, env) -> str:
    # markdown-it writes alignment as a style attribute; style attributes are not
    # allowed, so alignment becomes an allow-listed class.
    token = tokens[idx]
    style = token.attrGet("style") or ""
    if style.startswith("text-align:"):
        del token.attrs["style"]
        token.attrSet("class", "align-" + style.split(":", 1)[1])
    return self.renderToken(tokens, idx, options, env)


def _inline_children(text: str):
    for token in _parsed(text):
        if token.type == "inline":
            yield from token.children or []


def _inline_plain(children) -> str:
    parts: list[str] = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "softbreak":
            parts.append(" ")
        elif token.type == "hardbreak":
            parts.append("\n")
        elif token.type == "image":
            parts.append(_inline_plain(token.children or []))
        elif token.type == "citation" and parts:
            parts[-1] = parts[-1].rstrip(" ")  # "studies [@a] show" -> "studies show"
    return "".join(parts)


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("th_open", _render_table_cell)
    md.add_render_rule("td_open", _render_table_cell)
    return md


_md = _build_parser()
