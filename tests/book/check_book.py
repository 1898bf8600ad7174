#!/usr/bin/env python3
"""tests/book/check_book.py BOOK_DIR - make book-browser: the built book,
checked in headless Chromium, epubcheck and pdftotext.

Each check prints "ok" or "FAIL" with the reason; the last line is
"book-browser: N passed, M failed", as every part of make test ends.

  links      every internal link of every page resolves: the page exists
             and has the element the #anchor names
  console    no page logs an error, throws, or fails to load a resource
  figures    every figure's image loads (naturalWidth > 0) and has alt text
  mobile     at 390 px wide no prose sticks out sideways (code and tables
             scroll inside their own box) and every figure fits and is
             drawn at least at 0.6 of its size, so its text stays readable
  menu, copy the menu button opens the contents on a phone; every code
             block has a copy button
  search     three searches each put the right page among the first three
  titlepage  index.html shows the version and the preface starts within
             the first screen
  epub       epubcheck reports no errors
  pdf        pdftotext finds every chapter title in book.pdf, and every
             code line longer than 80 columns whole (wrapped, not cut)

Screenshots go to BOOK_DIR/shots/.
"""

import glob
import html
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

SEARCHES = [  # query, the page that must be among the first three hits
    ("submission queue", "08-proactor.html"),
    ("virtual clock", "04-testing.html"),
    ("wrap linker", "05-mocking.html"),
]

passed = failed = 0


def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name}: {why}")


# What the browser reports about a page (run in the page).
PAGE_FACTS = r"""
(() => {
  const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'));
  const figures = Array.from(document.querySelectorAll('figure img')).map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt') || '',
    loaded: img.complete && img.naturalWidth > 0,
    natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
    right: img.getBoundingClientRect().right,
  }));
  const width = document.documentElement.clientWidth;
  const prose = Array.from(document.querySelectorAll(
      'main p, main li, main h1, main h2, main h3, main h4, main blockquote, main figure, ' +
      'main div.listing-file, main div.exercise, main pre, main table, main nav'))
    .filter(e => !e.closest('pre, table'))
    .map(e => ({tag: e.tagName.toLowerCase(), right: e.getBoundingClientRect().right,
                text: (e.textContent || '').trim().slice(0, 60)}))
    .filter(e => e.right > width + 1);
  return {ids, links, figures, width, scrollWidth: document.documentElement.scrollWidth, prose};
})()
"""


def page_url(book, name, query=""):
    return "file://" + os.path.abspath(os.path.join(book, name)) + query


def check_pages(browser, book, pages):
    facts = {}
    browser.viewport(1280, 900)
    for name in pages:
        events = browser.open(page_url(book, name))
        facts[name] = browser.evaluate(PAGE_FACTS)
        errors = cdp.console_errors(events)
        check(not errors, f"console {name}", "; ".join(errors[:3]))
    # links, resolved across pages
    for name in pages:
        bad = []
        for href in facts[name]["links"]:
            parts = urllib.parse.urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            target = parts.path or name
            if target not in facts:
                bad.append(href + " (no such page)")
            elif parts.fragment and urllib.parse.unquote(parts.fragment) not in facts[target]["ids"]:
                bad.append(href + " (no such anchor)")
        n = len(facts[name]["links"])
        check(not bad, f"links {name} ({n} links)", ", ".join(bad[:5]) + (" ..." if len(bad) > 5 else ""))
    # copy buttons: one on every code block (so on every "Try it" command)
    browser.open(page_url(book, "02-event-loop.html"))
    blocks, buttons = browser.evaluate(
        "[document.querySelectorAll('main pre:not(.diagram)').length,"
        " document.querySelectorAll('main button.copy').length]")
    check(blocks > 0 and blocks == buttons, f"copy buttons on all {blocks} code blocks of chapter 2",
          f"{buttons} buttons")
    # figures
    for name in pages:
        for fig in facts[name]["figures"]:
            check(fig["loaded"] and fig["alt"].strip() != "",
                  f"figure {name} {fig['src']}",
                  "did not load" if not fig["loaded"] else "no alt text")
    return facts


def check_mobile(browser, book, pages, shots):
    browser.viewport(390, 844, mobile=True)
    for name in pages:
        browser.open(page_url(book, name))
        f = browser.evaluate(PAGE_FACTS)
        why = []
        if f["scrollWidth"] > f["width"] + 1:
            why.append(f"the page is {f['scrollWidth']} px wide")
        for p in f["prose"][:3]:
            why.append(f"<{p['tag']}> '{p['text']}' ends at {p['right']:.0f} px")
        for fig in f["figures"]:
            if fig["right"] > f["width"] + 1:
                why.append(f"figure {fig['src']} ends at {fig['right']:.0f} px")
            scale = fig["shown"] / fig["natural"] if fig["natural"] else 0
            if scale < 0.6:
                why.append(f"figure {fig['src']} drawn at {scale:.2f} of its size")
        check(not why, f"mobile 390px {name}", "; ".join(why))
    for name, tag in (("index.html", "index"), ("02-event-loop.html", "ch02"),
                      ("08-proactor.html", "ch08")):
        browser.open(page_url(book, name))
        browser.screenshot(os.path.join(shots, f"mobile-{tag}.png"))
    # the menu button opens the contents on a phone
    browser.open(page_url(book, "02-event-loop.html"))
    shown = browser.evaluate(
        "(() => { document.getElementById('menu-button').click();"
        " const s = document.getElementById('sidebar');"
        " return getComputedStyle(s).display !== 'none' &&"
        " s.getBoundingClientRect().width > 200 &&"
        " s.querySelectorAll('li.part').length; })()")
    check(bool(shown) and shown >= 3, "mobile 390px: the menu button opens the contents",
          f"sidebar shown: {shown}")
    browser.screenshot(os.path.join(shots, "mobile-ch02-menu.png"))
    # a figure, in view
    browser.open(page_url(book, "08-proactor.html", "#fig-readiness-completion"))
    browser.screenshot(os.path.join(shots, "mobile-ch08-figure.png"))


def check_search(browser, book, shots):
    browser.viewport(1280, 900)
    for query, want in SEARCHES:
        browser.open(page_url(book, "index.html", "?q=" + urllib.parse.quote(query)))
        hits = browser.evaluate(
            "Array.from(document.querySelectorAll('#search-results li a'))"
            ".map(a => a.getAttribute('href'))")
        pages = [h.split("#")[0] for h in hits[:3]]
        check(want in pages, f"search '{query}' finds {want}",
              f"first hits: {hits[:3]}")
        # the box really searches when one types into it
    browser.open(page_url(book, "index.html"))
    browser.evaluate("(() => { const b = document.getElementById('search-box');"
                     " b.value = 'deadlock'; b.dispatchEvent(new Event('input')); })()")
    shown = browser.evaluate("document.querySelectorAll('#search-results li').length")
    check(shown > 0, "search box: typing shows results", "no results listed")
    browser.screenshot(os.path.join(shots, "search.png"))


def check_titlepage(browser, book, shots):
    browser.viewport(1280, 900)
    browser.open(page_url(book, "index.html"))
    top = browser.evaluate("document.getElementById('preface').getBoundingClientRect().top")
    version = browser.evaluate("(document.querySelector('.book-version') || {}).textContent || ''")
    check(top < 900, "title page: the preface starts in the first screen (1280x900)", f"at {top:.0f} px")
    check(re.search(r"Version \S+", version) is not None and "unknown" not in version,
          "title page shows the version", repr(version))
    browser.screenshot(os.path.join(shots, "desktop-index.png"))
    browser.open(page_url(book, "02-event-loop.html", "#ch02-one-pass-of-the-loop"))
    browser.screenshot(os.path.join(shots, "desktop-ch02-listing.png"))
    browser.viewport(1280, 900, dark=True)
    browser.open(page_url(book, "08-proactor.html", "#ch08-submission-and-completion-queues"))
    browser.screenshot(os.path.join(shots, "desktop-ch08-dark.png"))


def chapter_titles():
    titles = []
    for path in sorted(glob.glob("chapters/[0-9][0-9]-*.md")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("# "):
                    titles.append(re.sub(r"\s*\{.*\}\s*$", "", line[2:]).strip())
                    break
    return titles


def check_epub(book):
    epub = os.path.join(book, "book.epub")
    # Debian's /usr/bin/epubcheck is the jar itself (run through
    # binfmt_misc where that is set up): run it with java, which works anywhere.
    jar = os.path.realpath(shutil.which("epubcheck") or "/usr/share/java/epubcheck.jar")
    run = subprocess.run(["java", "-jar", jar, epub], capture_output=True, text=True)
    out = run.stdout + run.stderr
    errors = [l for l in out.splitlines() if l.startswith(("ERROR", "FATAL"))]
    check(run.returncode == 0 and not errors, "epubcheck book.epub",
          "; ".join(errors[:5]) or out.strip().splitlines()[-1:])


def check_pdf(book):
    pdf = os.path.join(book, "book.pdf")
    run = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True)
    text = re.sub(r"\s+", " ", run.stdout)
    titles = chapter_titles()
    missing = [t for t in titles if re.sub(r"`", "", t) not in text]
    check(run.returncode == 0 and titles and not missing,
          f"pdf: all {len(titles)} chapter titles in book.pdf", f"missing: {missing}")
    # long code lines are wrapped, not cut: each is whole in the PDF's text
    with open(os.path.join(book, "print.html"), encoding="utf-8") as f:
        page = f.read()
    code = []
    for block in re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S):
        text = html.unescape(re.sub(r"<[^>]+>", "", block))
        code.extend(l for l in text.splitlines() if len(l) > 80)
    # (a line may run over a page break: drop the page-number lines first)
    squeezed = re.sub(r"\s+", "", re.sub(r"(?m)^\s*\d+\s*$", "", run.stdout))
    cut = [l for l in code if re.sub(r"\s+", "", l) not in squeezed]
    check(code and not cut, f"pdf: all {len(code)} code lines over 80 columns are whole",
          f"{len(cut)} cut, e.g. {cut[:2]}")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if "Pages:" in info else 0
    numbered = re.search(r"\n\s*%d\s*\n" % (pages // 2), run.stdout) is not None
    check(pages > 10 and numbered, f"pdf: {pages} pages, numbered", "no page number found")


def main():
    book = sys.argv[1] if len(sys.argv) > 1 else "build/book"
    shots = os.path.join(book, "shots")
    os.makedirs(shots, exist_ok=True)
    pages = sorted(os.path.basename(p) for p in glob.glob(os.path.join(book, "*.html"))
                   if not p.endswith("/print.html"))
    check(len(pages) >= 4, f"{len(pages)} pages built", "index.html and chapters missing")
    browser = cdp.Browser()
    try:
        check_pages(browser, book, pages)
        check_mobile(browser, book, pages, shots)
        check_search(browser, book, shots)
        check_titlepage(browser, book, shots)
    finally:
        browser.close()
    check_epub(book)
    check_pdf(book)
    print(f"screenshots: {shots}/")
    print(f"book-browser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
