// The CodeMirror 6 pieces editorial/static/js/editor.js uses, as one global (window.CM).
export { EditorState, EditorSelection } from "@codemirror/state";
export { EditorView, keymap, drawSelection, placeholder, highlightActiveLine } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { markdown, markdownLanguage } from "@codemirror/lang-markdown";
export { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
export { autocompletion, completionKeymap, startCompletion } from "@codemirror/autocomplete";
