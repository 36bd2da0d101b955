// Select a passage of the article text to quote it in a review comment.
(function () {
  var text = document.getElementById("article-text");
  var quote = document.getElementById("quote");
  if (!text || !quote) return;
  text.addEventListener("mouseup", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    if (!text.contains(selection.anchorNode)) return;
    var passage = selection.toString().trim();
    if (passage) {
      quote.value = passage.slice(0, 2000);
    }
  });
})();
