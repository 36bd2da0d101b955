/* The Markdown editor of the edit page (templates/articles/edit.html), on CodeMirror 6
   (static/vendor/codemirror, window.CM). Without JavaScript the page is a plain textarea and the
   reference buttons work by re-rendering the form; this script only adds to it:
   - a toolbar and keyboard shortcuts (headings, bold, italic, lists, link, table);
   - a preview rendered by the server with the reader page's own code (POST /articles/<id>/preview),
     with the word count and the readability grade;
   - `[@` suggestions from the citation library (GET /citations/search.json), adding the chosen
     source to the reference list of the form;
   - the unsaved text kept in localStorage and offered back, and a warning before leaving;
   - paste from Word or Google Docs turned into Markdown (static/vendor/turndown). */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  var textarea = form && form.querySelector("textarea[name=body]");
  if (!textarea || !window.CM) return;
  var CM = window.CM;
  var articleId = form.dataset.article;
  var baseInput = form.querySelector("input[name=base_version]");
  var csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  var DRAFT_PREFIX = "vetted:draft:" + articleId + ":";
  // The revision the form edits (the page's data-saved): what "unsaved" is measured against, since
  // a reference button re-renders the form with the typed text and the rearranged list.
  var saved = {};
  try { saved = JSON.parse(form.dataset.saved || "{}"); } catch (e) { saved = {}; }
  var submitting = false;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  // --- Editing commands -------------------------------------------------------------

  function wrap(marker) {
    return function (view) {
      view.dispatch(view.state.changeByRange(function (range) {
        var text = view.state.sliceDoc(range.from, range.to);
        var n = marker.length;
        var before = view.state.sliceDoc(range.from - n, range.from), after = view.state.sliceDoc(range.to, range.to + n);
        if (before === marker && after === marker) {  // toggle off
          return { changes: [{ from: range.from - n, to: range.from }, { from: range.to, to: range.to + n }],
                   range: CM.EditorSelection.range(range.from - n, range.to - n) };
        }
        return { changes: { from: range.from, to: range.to, insert: marker + text + marker },
                 range: CM.EditorSelection.range(range.from + n, range.to + n) };
      }));
      view.focus();
      return true;
    };
  }

  function linePrefix(prefix, numbered) {
    return function (view) {
      var state = view.state, changes = [], seen = {}, count = 0;
      state.selection.ranges.forEach(function (range) {
        for (var pos = range.from; pos <= range.to;) {
          var line = state.doc.lineAt(pos);
          if (!seen[line.number]) {
            seen[line.number] = true;
            count += 1;
            var current = line.text.match(/^(#{1,6} |[-*+] |\d+\. )?/)[0];
            var wanted = numbered ? count + ". " : prefix;
            changes.push({ from: line.from, to: line.from + current.length, insert: current === wanted ? "" : wanted });
          }
          pos = line.to + 1;
        }
      });
      view.dispatch({ changes: changes });
      view.focus();
      return true;
    };
  }

  function insertLink(view) {
    var range = view.state.selection.main;
    var text = view.state.sliceDoc(range.from, range.to) || "link text";
    var insert = "[" + text + "](https://)";
    view.dispatch({ changes: { from: range.from, to: range.to, insert: insert },
                    selection: { anchor: range.from + text.length + 3, head: range.from + insert.length - 1 } });
    view.focus();
    return true;
  }

  function insertTable(view) {
    var pos = view.state.selection.main.head, line = view.state.doc.lineAt(pos);
    var table = (line.text ? "\n\n" : "") + "| Column | Column |\n| --- | --- |\n| Cell | Cell |\n";
    view.dispatch({ changes: { from: line.to, insert: table }, selection: { anchor: line.to + (line.text ? 4 : 2) } });
    view.focus();
    return true;
  }

  // [name, button text, shortcut shown, CodeMirror key, command]
  var tools = [
    ["Heading", "Heading", "Ctrl-Alt-2", "Mod-Alt-2", linePrefix("## ")],
    ["Subheading", "Subheading", "Ctrl-Alt-3", "Mod-Alt-3", linePrefix("### ")],
    ["Bold", "Bold", "Ctrl-B", "Mod-b", wrap("**")],
    ["Italic", "Italic", "Ctrl-I", "Mod-i", wrap("*")],
    ["Bulleted list", "Bulleted list", "Ctrl-Shift-8", "Mod-Shift-8", linePrefix("- ")],
    ["Numbered list", "Numbered list", "Ctrl-Shift-7", "Mod-Shift-7", linePrefix("", true)],
    ["Link", "Link", "Ctrl-K", "Mod-k", insertLink],
    ["Table", "Table", "Ctrl-Alt-T", "Mod-Alt-t", insertTable],
  ];
  var shortcuts = tools.map(function (tool) { return { key: tool[3], run: tool[4], preventDefault: true }; });

  // --- `[@` suggestions ----------------------------------------------------------------

  function citationSource(context) {
    var typed = context.matchBefore(/\[@[\w:.\-]*/);
    if (!typed) return null;
    var q = typed.text.slice(2);
    return fetch("/citations/search.json?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        return {
          from: typed.from, filter: false,
          options: data.results.filter(function (c) { return !c.retracted; }).map(function (c) {
            return {
              label: "[@" + c.key + "]", detail: [c.first_author, c.year].filter(Boolean).join(" "), info: c.title,
              apply: function (view, completion, from, to) {
                var end = view.state.sliceDoc(to, to + 1) === "]" ? to + 1 : to;
                var insert = "[@" + c.key + "]";
                view.dispatch({ changes: { from: from, to: end, insert: insert }, selection: { anchor: from + insert.length } });
                addReference(c);
              },
            };
          }),
        };
      })
      .catch(function () { return null; });
  }

  // The chosen source joins the form's reference list (saved with the text, as the "Attach" button does).
  function addReference(c) {
    if (form.querySelector('input[name=citation_ids][value="' + c.id + '"]')) return;
    var fieldset = document.getElementById("references");
    var list = fieldset.querySelector("ol.references");
    if (!list) {
      var none = fieldset.querySelector("p");
      list = el("ol", { "class": "references" });
      if (none && none.textContent.indexOf("No references") === 0) none.replaceWith(list);
      else fieldset.insertBefore(list, fieldset.querySelector(".filters"));
    }
    list.appendChild(referenceItem({ id: c.id, key: c.key, retracted: c.retracted,
      text: (c.first_author ? c.first_author + ". " : "") + c.title + (c.year ? ". " + c.year + "." : "") }));
    refreshActions();
    schedulePreview();
    keepDraft();
  }

  function referenceItem(r) {
    var item = el("li", { "data-key": r.key });
    item.append(el("span", { "class": "ref-text" }, r.text), " ", el("span", { "class": "tag" }, "[@" + r.key + "]"));
    if (r.retracted) item.append(" ", el("span", { "class": "badge badge-changes_requested" }, "retracted"));
    item.appendChild(el("input", { type: "hidden", name: "citation_ids", value: String(r.id) }));
    return item;
  }

  // The up, down and remove buttons of each reference, as the server renders them for the list's order.
  function refreshActions() {
    var items = form.querySelectorAll("#references ol.references > li");
    Array.prototype.forEach.call(items, function (item, i) {
      var id = item.querySelector("input[name=citation_ids]").value, key = item.dataset.key || id;
      var old = item.querySelector(".inline-actions");
      if (old) old.remove();
      var actions = el("span", { "class": "inline-actions" });
      if (i > 0) actions.appendChild(el("button", { type: "submit", name: "refs_action", value: "up:" + id, "class": "button-link",
                                                     "aria-label": "Move " + key + " up" }, "\u2191 up"));
      if (i < items.length - 1) actions.appendChild(el("button", { type: "submit", name: "refs_action", value: "down:" + id,
                                                     "class": "button-link", "aria-label": "Move " + key + " down" }, "\u2193 down"));
      actions.appendChild(el("button", { type: "submit", name: "refs_action", value: "remove:" + id, "class": "button-link",
                                          "aria-label": "Remove " + key }, "remove"));
      item.append(" ", actions);
    });
  }

  // The list as {id, key, text, retracted}, kept with the draft so that a restore can rebuild it.
  function referenceList() {
    return Array.prototype.map.call(form.querySelectorAll("#references ol.references > li"), function (item) {
      var tag = item.querySelector(".tag"), text = item.querySelector(".ref-text");
      return { id: parseInt(item.querySelector("input[name=citation_ids]").value, 10),
               key: item.dataset.key || (tag ? tag.textContent.replace(/^\[@|\]$/g, "") : ""),
               text: text ? text.textContent.trim() : "", retracted: !!item.querySelector(".badge") };
    });
  }

  // Rebuild the list for the ids of a draft: the items on the page are kept (moved), the others are
  // made from what the draft kept of them.
  function restoreReferences(ids, kept) {
    var fieldset = document.getElementById("references");
    var list = fieldset.querySelector("ol.references");
    var byId = {};
    if (list) Array.prototype.forEach.call(list.children, function (item) {
      byId[item.querySelector("input[name=citation_ids]").value] = item;
    });
    (kept || []).forEach(function (r) { if (!byId[String(r.id)]) byId[String(r.id)] = referenceItem(r); });
    if (!list) {
      list = el("ol", { "class": "references" });
      var none = fieldset.querySelector("p");
      if (none && none.textContent.indexOf("No references") === 0) none.replaceWith(list);
      else fieldset.insertBefore(list, fieldset.querySelector(".filters"));
    }
    list.replaceChildren.apply(list, ids.map(function (id) { return byId[String(id)]; }).filter(Boolean));
    if (!list.children.length) list.replaceWith(el("p", {}, "No references attached yet."));
    refreshActions();
  }

  function citationIds() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=citation_ids]"), function (input) {
      return parseInt(input.value, 10);
    });
  }

  // --- Paste from Word or Google Docs -------------------------------------------------

  var turndown = null;
  function toMarkdown(html) {
    if (!turndown) {
      turndown = new window.TurndownService({ headingStyle: "atx", bulletListMarker: "-", emDelimiter: "*",
                                               strongDelimiter: "**", codeBlockStyle: "fenced" });
      turndown.remove(["style", "script", "meta", "title", "head", "img"]);
      // Google Docs wraps the whole clipboard in <b style="font-weight:normal" id="docs-internal-guid-…">.
      turndown.addRule("docsWrapper", {
        filter: function (node) { return node.nodeName === "B" && /^docs-internal-guid/.test(node.id || ""); },
        replacement: function (content) { return content; },
      });
      // Google Docs and Word mark emphasis with styles on spans: keep the emphasis, not the style
      // (bold and italic together is ***both***; spaces stay outside the markers).
      function styled(node) {
        var style = node.nodeName === "SPAN" ? node.getAttribute("style") || "" : "";
        return { bold: /font-weight:\s*(bold|[6-9]00)/.test(style), italic: /font-style:\s*italic/.test(style) };
      }
      turndown.addRule("styledEmphasis", {
        filter: function (node) { var s = styled(node); return s.bold || s.italic; },
        replacement: function (content, node) {
          var s = styled(node), marker = (s.bold ? "**" : "") + (s.italic ? "*" : "");
          var m = content.match(/^(\s*)([\s\S]*?)(\s*)$/);
          return m[2] ? m[1] + marker + m[2] + marker + m[3] : content;
        },
      });
      // Word's list paragraphs: mso-list in the style (any class: MsoListParagraph…, MsoNormal,
      // MsoListBullet), the marker (·, o, §, 1., a.) in a span of mso-list:Ignore that is dropped.
      function wordList(node) {
        var m = node.nodeName === "P" && /mso-list:\s*(l\d+)\s+level(\d+)/.exec(node.getAttribute("style") || "");
        return m ? { list: m[1], level: parseInt(m[2], 10) } : null;
      }
      turndown.addRule("wordListMarker", {
        filter: function (node) { return node.nodeName === "SPAN" && /mso-list:\s*Ignore/i.test(node.getAttribute("style") || ""); },
        replacement: function () { return ""; },
      });
      turndown.addRule("wordList", {
        filter: function (node) { return !!wordList(node) || (node.nodeName === "P" && /MsoListParagraph/.test(node.className || "")); },
        replacement: function (content, node) {
          var item = wordList(node) || { list: "", level: 1 };
          var markerSpan = node.querySelector('span[style*="mso-list"]');
          var marker = markerSpan ? markerSpan.textContent.replace(/[\s\u00a0]+/g, "") : "";
          var number = /^\(?(\d+)[.)]$/.exec(marker);
          var bullet = number ? number[1] + ". " : /^\(?[a-z]{1,4}[.)]$/i.test(marker) ? "1. " : "- ";
          var text = markerSpan ? content.trim() : content.replace(/^\s*[·•o§\-]\s*/, "").trim();
          var prev = node.previousElementSibling, prevItem = prev && wordList(prev);
          var sameList = prevItem && prevItem.list === item.list;
          return (sameList ? "\n" : "\n\n") + new Array(item.level).join("    ") + bullet + text + "\n";
        },
      });
    }
    return turndown.turndown(html).replace(/\n{3,}/g, "\n\n");
  }

  function onPaste(event, view) {
    var html = event.clipboardData && event.clipboardData.getData("text/html");
    if (!html || !window.TurndownService) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(toMarkdown(html)));
    return true;
  }

  // --- The editor -----------------------------------------------------------------------

  var label = form.querySelector('label[for="' + textarea.id + '"]');
  var labelId = textarea.id + "-label";
  if (label) { label.id = labelId; label.removeAttribute("for"); }  // the label now names the editor
  var shell = el("div", { "class": "md-editor" });
  var toolbar = el("div", { role: "toolbar", "aria-label": "Formatting", "class": "md-toolbar" });
  var host = el("div", { "class": "md-host" });
  var side = el("div", { "class": "md-side" });
  var previewHeading = el("h2", { "class": "md-preview-title", id: "preview-title" }, "Preview, as readers will see it");
  var stats = el("p", { "class": "hint md-stats", "aria-live": "polite" }, "");
  var unknown = el("p", { "class": "field-error md-unknown", "aria-live": "polite" }, "");
  var preview = el("div", { "class": "article-text md-preview", id: "preview", "aria-labelledby": "preview-title" });
  side.append(previewHeading, stats, unknown, preview);
  shell.append(toolbar, el("div", { "class": "md-panes" }));
  shell.lastChild.append(host, side);
  textarea.classList.add("md-source");
  textarea.setAttribute("aria-hidden", "true");
  textarea.tabIndex = -1;
  textarea.parentNode.insertBefore(shell, textarea.nextSibling);

  var view = new CM.EditorView({
    parent: host,
    state: CM.EditorState.create({
      doc: textarea.value,
      extensions: [
        CM.history(), CM.drawSelection(), CM.EditorView.lineWrapping,
        CM.markdown({ base: CM.markdownLanguage }), CM.syntaxHighlighting(CM.defaultHighlightStyle),
        CM.autocompletion({ override: [citationSource], activateOnTyping: true }),
        CM.keymap.of(shortcuts.concat(CM.completionKeymap, CM.historyKeymap, CM.defaultKeymap)),
        CM.EditorView.contentAttributes.of({ "aria-labelledby": labelId, "aria-multiline": "true", role: "textbox", tabindex: "0" }),
        CM.EditorView.domEventHandlers({ paste: onPaste }),
        CM.EditorView.updateListener.of(function (update) {
          if (!update.docChanged) return;
          textarea.value = bodyText();
          schedulePreview();
          keepDraft();
        }),
      ],
    }),
  });

  // Chromium's contenteditable turns a space typed before a formatting change into a no-break
  // space: what is saved and previewed has plain spaces, as the writer typed them.
  function bodyText() { return view.state.doc.toString().replace(/\u00a0/g, " "); }

  tools.forEach(function (tool) {
    var button = el("button", { type: "button", "class": "md-tool", title: tool[0] + " (" + tool[2] + ")" }, tool[1]);
    button.addEventListener("click", function () { tool[4](view); });
    toolbar.appendChild(button);
  });

  // --- Preview, word count and grade --------------------------------------------------

  var previewTimer = null, previewSeq = 0;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 350);
  }
  function refreshPreview() {
    var seq = ++previewSeq;
    fetch("/articles/" + articleId + "/preview", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ body: bodyText(), citation_ids: citationIds() }),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (seq !== previewSeq) return;  // an older answer arriving late
      if (!answer.ok) { stats.textContent = answer.data.message || "The preview is not available."; return; }
      var data = answer.data;
      preview.innerHTML = data.html;  // sanitised by the server (editorial/rendering.py)
      stats.textContent = data.word_count + (data.word_count === 1 ? " word" : " words") + " · about " +
        data.reading_minutes + " min to read · Flesch–Kincaid grade " + (data.grade === null ? "—" : data.grade.toFixed(1));
      unknown.textContent = data.unknown_keys.length ?
        "Not in the reference list: " + data.unknown_keys.map(function (k) { return "[@" + k + "]"; }).join(", ") : "";
      form.dispatchEvent(new CustomEvent("preview-updated"));
    }).catch(function () { stats.textContent = "The preview is not available (offline?)."; });
  }
  form.addEventListener("click", function (event) {  // reordering in the form changes the numbering
    if (event.target.closest && event.target.closest("#references")) schedulePreview();
  });

  // --- Unsaved text in the browser ------------------------------------------------------

  var fieldNames = ["title", "summary", "topic", "note"];
  var contentFields = ["title", "summary", "topic", "body"];  // the note alone is no change
  function snapshot() {
    var data = { body: bodyText(), citation_ids: citationIds(), references: referenceList(),
                 saved_at: new Date().toISOString(), base_version: baseInput.value };
    fieldNames.forEach(function (name) { var input = form.elements[name]; if (input) data[name] = input.value; });
    return data;
  }
  function norm(value) { return String(value == null ? "" : value).replace(/\r\n?/g, "\n"); }
  // Same content (the fields `a` has): text, title, summary, topic and the ordered reference list.
  function sameContent(a, b) {
    return contentFields.every(function (name) { return !(name in a) || norm(a[name]) === norm(b[name]); }) &&
      (!a.citation_ids || a.citation_ids.join(",") === (b.citation_ids || []).join(","));
  }
  function hasUnsavedText() {
    return !sameContent(saved, snapshot());
  }
  var draftTimer = null;
  function storeDraft(data) {
    try {
      if (sameContent(saved, data)) localStorage.removeItem(DRAFT_PREFIX + data.base_version);
      else localStorage.setItem(DRAFT_PREFIX + data.base_version, JSON.stringify(data));
    } catch (e) { /* storage full or disabled: the form still works */ }
  }
  function keepDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(function () { storeDraft(snapshot()); }, 300);
  }
  form.addEventListener("input", function (event) { if (event.target !== textarea) keepDraft(); });

  function storedDrafts() {
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key.indexOf(DRAFT_PREFIX) === 0) found.push({ key: key, data: JSON.parse(localStorage.getItem(key)) });
      }
    } catch (e) { return []; }
    return found.sort(function (a, b) { return a.data.saved_at < b.data.saved_at ? 1 : -1; });
  }

  // A kept draft is offered back unless the page already shows it (a re-rendered form); the page's
  // own unsaved state (after a reference button) is kept in its place.
  function offerDraft() {
    var drafts = storedDrafts();
    var current = parseInt(baseInput.value, 10), now = snapshot();
    drafts.forEach(function (d, i) {
      var stale = parseInt(d.data.base_version, 10) < current && d.data.submitted;
      if (i > 0 || stale || sameContent(d.data, now)) localStorage.removeItem(d.key);
    });
    var draft = drafts[0];
    if (!draft || localStorage.getItem(draft.key) === null) { storeDraft(now); return; }
    var when = new Date(draft.data.saved_at);
    var box = el("div", { "class": "flash flash-warning draft-offer", role: "alert" });
    var question = "Restore your unsaved text from " + when.toLocaleString() + "?";
    if (parseInt(draft.data.base_version, 10) !== current) {
      question += " It was written on version " + draft.data.base_version + "; saving it will show what changed since.";
    }
    box.appendChild(el("p", {}, question));
    var restore = el("button", { type: "button", "class": "button" }, "Restore");
    var discard = el("button", { type: "button", "class": "button button-secondary" }, "Discard");
    box.append(restore, " ", discard);
    form.parentNode.insertBefore(box, form);
    restore.addEventListener("click", function () {
      if (draft.data.citation_ids) restoreReferences(draft.data.citation_ids, draft.data.references);
      fieldNames.forEach(function (name) { if (form.elements[name] && name in draft.data) form.elements[name].value = draft.data[name]; });
      baseInput.value = draft.data.base_version;  // an edit of an older version meets the stale-edit check
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: draft.data.body } });
      if (draft.key !== DRAFT_PREFIX + baseInput.value) localStorage.removeItem(draft.key);
      box.remove();
      schedulePreview();
      keepDraft();
      view.focus();
    });
    discard.addEventListener("click", function () { localStorage.removeItem(draft.key); box.remove(); storeDraft(snapshot()); });
  }

  // The list a reference button will come back with (as the server's _rearranged makes it).
  function rearranged(ids, action) {
    var parts = (action || "").split(":"), id = parseInt(parts[1], 10), i = ids.indexOf(id);
    ids = ids.slice();
    if (isNaN(id)) return ids;
    if (parts[0] === "add") return i < 0 ? ids.concat([id]) : ids;
    if (i < 0) return ids;
    if (parts[0] === "remove") return ids.filter(function (x) { return x !== id; });
    var j = i + (parts[0] === "up" ? -1 : parts[0] === "down" ? 1 : 0);
    if (j >= 0 && j < ids.length) { ids[i] = ids[j]; ids[j] = id; }
    return ids;
  }
  form.addEventListener("submit", function (event) {
    submitting = true;
    clearTimeout(draftTimer);
    try {  // kept until the next page proves it saved (a newer base version, or the same content)
      var data = snapshot(); data.submitted = true;
      var action = event.submitter && event.submitter.name === "refs_action" ? event.submitter.value : "";
      data.citation_ids = rearranged(data.citation_ids, action);
      if (!sameContent(saved, data)) localStorage.setItem(DRAFT_PREFIX + data.base_version, JSON.stringify(data));
    } catch (e) { /* ignore */ }
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !hasUnsavedText()) return;
    event.preventDefault();
    event.returnValue = "";
  });
  // The search box's Enter searches (not the hidden default button's guess) when JavaScript runs.
  var search = document.getElementById("cq");
  if (search) search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); form.querySelector('button[value="search"]').click(); }
  });

  offerDraft();
  refreshPreview();
  window.vettedEditor = view;  // for the browser tests and the curious
})();
