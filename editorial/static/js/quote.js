// Select a passage of the article text to comment on it. The comment form gets the passage and
// about 32 characters of text on each side (a W3C text-quote selector, matched by
// editorial/annotations.py), and moves into a box beside the selection, its textarea focused.
// Cancel (or Escape) puts the form back in the review thread. Without this script, or from the
// keyboard, the form is used where it stands and the quote is typed.
(function () {
  "use strict";
  var body = document.getElementById("article-body");
  var form = document.getElementById("comment-form");
  if (!body || !form) return;
  var quote = form.querySelector("#quote");
  var prefix = form.querySelector("#quote_prefix");
  var suffix = form.querySelector("#quote_suffix");
  var comment = form.querySelector("#body");
  if (!quote || !prefix || !suffix || !comment) return;
  var CONTEXT = 32;
  var MAX_QUOTE = 2000;
  var GAP = 12;
  // As in editorial/annotations.py: these elements' edges separate words.
  var BLOCK = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|BR|DD|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|LI|MAIN|NAV|OL|P|PRE|SECTION|TABLE|TBODY|TD|TFOOT|TH|THEAD|TR|UL)$/;
  var SPACE = /\s/;

  // The body's text as the server matches it: whitespace runs and block edges are one space; the
  // links to comments (.comment-ref) are ours, not the article's. Each text node maps its offsets.
  function flatten() {
    var text = "";
    var nodes = [];
    function space() {
      if (text && text.charAt(text.length - 1) !== " ") text += " ";
    }
    function walk(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        var map = [];
        for (var i = 0; i < node.data.length; i++) {
          map.push(text.length);
          if (SPACE.test(node.data.charAt(i))) space(); else text += node.data.charAt(i);
        }
        map.push(text.length);
        nodes.push({ node: node, map: map });
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || node.classList.contains("comment-ref")) return;
      var block = BLOCK.test(node.tagName);
      if (block) space();
      for (var child = node.firstChild; child; child = child.nextSibling) walk(child);
      if (block) space();
    }
    for (var child = body.firstChild; child; child = child.nextSibling) walk(child);
    return { text: text.replace(/ $/, ""), nodes: nodes };
  }

  // Where a range boundary falls in the flattened text.
  function indexOf(flat, container, offset) {
    var point = document.createRange();
    point.setStart(container, offset);
    for (var i = 0; i < flat.nodes.length; i++) {
      var entry = flat.nodes[i];
      if (entry.node === container) return entry.map[Math.min(offset, entry.map.length - 1)];
      if (point.comparePoint(entry.node, 0) >= 0) return entry.map[0];
    }
    return flat.text.length;
  }

  function selector(range) {
    var flat = flatten();
    var start = indexOf(flat, range.startContainer, range.startOffset);
    var end = indexOf(flat, range.endContainer, range.endOffset);
    while (start < end && flat.text.charAt(start) === " ") start++;
    while (end > start && flat.text.charAt(end - 1) === " ") end--;
    if (start >= end) return null;
    end = Math.min(end, start + MAX_QUOTE);
    return {
      exact: flat.text.slice(start, end),
      prefix: flat.text.slice(Math.max(0, start - CONTEXT), start),
      suffix: flat.text.slice(end, end + CONTEXT)
    };
  }

  // The floating box, and a marker where the form lives in the thread.
  var home = document.createComment(" the comment form's place in the review thread ");
  form.parentNode.insertBefore(home, form);
  var box = document.createElement("div");
  box.className = "card comment-popover";
  box.hidden = true;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-labelledby", "comment-popover-title");
  var title = document.createElement("h2");
  title.id = "comment-popover-title";
  title.textContent = "Comment on the selected passage";
  var cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button-link comment-popover-cancel";
  cancel.textContent = "Cancel";
  box.appendChild(title);
  document.body.appendChild(box);

  function open(range, found) {
    quote.value = found.exact;
    prefix.value = found.prefix;
    suffix.value = found.suffix;
    if (form.parentNode !== box) {
      box.appendChild(form);
      form.appendChild(cancel);
    }
    box.hidden = false;
    place(range.getBoundingClientRect());
    comment.focus({ preventScroll: true });
  }

  // Beside the article column when there is room (over the sidebar), else just below the passage.
  function place(rect) {
    var column = document.getElementById("article-text") || body;
    var article = column.getBoundingClientRect();
    var viewport = document.documentElement.clientWidth;
    var width = box.offsetWidth;
    var left, top;
    if (article.right + GAP + width <= viewport - GAP) {
      left = article.right + GAP;
      top = rect.top;
    } else {
      left = Math.max(GAP, Math.min(rect.left, viewport - width - GAP));
      top = rect.bottom + GAP;
    }
    box.style.left = Math.round(left + window.scrollX) + "px";
    box.style.top = Math.round(top + window.scrollY) + "px";
    var bottom = top + box.offsetHeight;
    if (bottom > window.innerHeight) window.scrollBy(0, bottom - window.innerHeight + GAP);
  }

  function close() {
    home.parentNode.insertBefore(form, home.nextSibling);
    if (cancel.parentNode) cancel.parentNode.removeChild(cancel);
    box.hidden = true;
    quote.value = prefix.value = suffix.value = "";
  }

  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return;
    var found = selector(range);
    if (found) open(range, found);
  }

  body.addEventListener("mouseup", function () {
    window.setTimeout(selected, 0);  // let the browser settle the selection first
  });
  cancel.addEventListener("click", close);
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  // A quote typed by hand is not the selected passage: its surroundings no longer apply.
  quote.addEventListener("input", function () {
    prefix.value = suffix.value = "";
  });
})();
