/* book/book.js: the web book's behaviour. Plain script, no libraries, no
   network: it works from file://. The search data comes from
   search-index.js (BOOK_SEARCH), loaded before this file. */
(function () {
  "use strict";

  /* The contents: a button opens and closes the sidebar. On a wide
     screen it is open by default; on a narrow one, closed. */
  var body = document.body;
  var button = document.getElementById("menu-button");
  var sidebar = document.getElementById("sidebar");
  function narrow() { return window.matchMedia("(max-width: 62rem)").matches; }
  if (button && sidebar) {
    button.addEventListener("click", function () {
      if (narrow()) body.classList.toggle("nav-open");
      else body.classList.toggle("nav-closed");
      var open = narrow() ? body.classList.contains("nav-open")
                          : !body.classList.contains("nav-closed");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    sidebar.addEventListener("click", function (e) {
      if (e.target.closest("a") && narrow()) body.classList.remove("nav-open");
    });
    var here = sidebar.querySelector("li.current");
    if (here && here.scrollIntoView && !narrow()) here.scrollIntoView({ block: "nearest" });
  }

  /* The current section: the last heading above the top third of the
     window; its entry in the sidebar is marked. */
  var links = {};
  if (sidebar) {
    sidebar.querySelectorAll("li.current details ol a").forEach(function (a) {
      var hash = a.getAttribute("href").split("#")[1];
      if (hash) links[hash] = a;
    });
  }
  var heads = Array.prototype.slice.call(document.querySelectorAll("main h2[id]"));
  var marked = null;
  function follow() {
    var line = window.innerHeight / 3, current = null;
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getBoundingClientRect().top <= line) current = heads[i];
      else break;
    }
    var a = current && links[current.id];
    if (a === marked) return;
    if (marked) marked.classList.remove("current-section");
    if (a) a.classList.add("current-section");
    marked = a || null;
  }
  var pending = false;
  window.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; follow(); });
  }, { passive: true });
  follow();

  /* Copy buttons on code blocks (and so on the "Try it" commands). */
  function copyText(text, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }
  function addCopy(frame, pre) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy";
    b.textContent = "Copy";
    b.setAttribute("aria-label", "Copy this code");
    b.addEventListener("click", function () {
      copyText(pre.innerText.replace(/\n$/, ""), function (ok) {
        b.textContent = ok ? "Copied" : "Press Ctrl+C";
        setTimeout(function () { b.textContent = "Copy"; }, 1500);
      });
    });
    frame.appendChild(b);
  }
  document.querySelectorAll("main pre").forEach(function (pre) {
    if (pre.classList.contains("diagram")) return;
    var frame = pre.parentElement;
    if (!frame.classList.contains("sourceCode")) {
      frame = document.createElement("div");
      frame.className = "copy-frame";
      pre.parentNode.insertBefore(frame, pre);
      frame.appendChild(pre);
    }
    addCopy(frame, pre);
  });

  /* Search over BOOK_SEARCH: every word of the query must occur in a
     section (title or text); title hits rank first. */
  var box = document.getElementById("search-box");
  var results = document.getElementById("search-results");
  var data = window.BOOK_SEARCH || [];
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function snippet(text, word) {
    var at = text.toLowerCase().indexOf(word);
    if (at < 0) return escapeHtml(text.slice(0, 140));
    var from = Math.max(0, at - 60);
    var piece = text.slice(from, at + word.length + 80);
    var i = piece.toLowerCase().indexOf(word);
    return (from > 0 ? "…" : "") + escapeHtml(piece.slice(0, i)) + "<mark>" +
      escapeHtml(piece.slice(i, i + word.length)) + "</mark>" +
      escapeHtml(piece.slice(i + word.length)) + "…";
  }
  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    if (words.length === 0) return [];
    var found = [];
    data.forEach(function (entry) {
      var title = entry.t.toLowerCase(), text = entry.x.toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        var inTitle = title.indexOf(words[i]) >= 0, inText = text.indexOf(words[i]) >= 0;
        if (!inTitle && !inText) return;
        score += (inTitle ? 10 : 0) + (inText ? 1 : 0);
      }
      found.push({ entry: entry, score: score });
    });
    found.sort(function (a, b) { return b.score - a.score; });
    return found;
  }
  function show(query) {
    if (!results) return;
    if (query.trim() === "") { results.hidden = true; results.innerHTML = ""; return; }
    var found = search(query), word = query.toLowerCase().trim().split(/\s+/)[0];
    var html = ['<p class="count">' + found.length + (found.length === 1 ? " section" : " sections") + "</p><ol>"];
    found.slice(0, 30).forEach(function (f) {
      var e = f.entry, href = e.p + (e.a ? "#" + e.a : "");
      html.push('<li><a href="' + escapeHtml(href) + '">' + escapeHtml(e.t) + "</a>" +
        '<span class="snippet">' + snippet(e.x, word) + "</span></li>");
    });
    html.push("</ol>");
    results.innerHTML = html.join("");
    results.hidden = false;
  }
  if (box) {
    box.addEventListener("input", function () { show(box.value); });
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { box.value = q; show(q); }
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== box &&
          !/^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName)) {
        e.preventDefault();
        if (narrow()) body.classList.add("nav-open");
        box.focus();
      }
    });
  }
  window.bookSearch = search; /* for the browser tests */
})();
