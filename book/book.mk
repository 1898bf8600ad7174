# make book: renders chapters/NN-*.md, in number order, to one
# self-contained HTML file, build/book/index.html (CSS and highlighting
# embedded; no network needed to read it). Included by the top-level
# Makefile, which defines BUILD and deps-book, and runs from the repo root.
#
# book/include.lua fills in listings from real files and the exercise
# lists from exercises/LIST; any missing file, anchor or stub fails the
# build. `make book-check` runs the same pipeline without keeping the
# output, for `make test`.
#
# Both targets always rerun: pandoc takes a second, and listing the files
# the chapters include would mean parsing the chapters in make.

BOOK_CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*.md))
BOOK_TITLE := Asynchronous Programming in C: a workbook

# --self-contained (pandoc 2.17 has no --embed-resources) inlines the CSS;
# math, if any, stays pandoc's plain-text default, so no CDN is needed.
# Sections are numbered by position: the first chapter file is 1 (the
# preface is {.unnumbered}).
BOOK_PANDOC = pandoc --from=markdown --to=html5 --standalone --self-contained \
  --lua-filter=book/include.lua --css=book/book.css \
  --toc --toc-depth=2 --number-sections --highlight-style=pygments \
  --resource-path=.:chapters \
  --metadata=title:'$(BOOK_TITLE)' --metadata=lang:en --metadata=toc-title:Contents \
  book/preface.md $(BOOK_CHAPTERS)

.PHONY: book book-check
book: deps-book
	@$(if $(BOOK_CHAPTERS),,echo "book: no chapters/NN-*.md to render" >&2; exit 1)
	@mkdir -p $(BUILD)/book
	@rm -f $(BUILD)/book/index.html
	$(BOOK_PANDOC) --output=$(BUILD)/book/index.html
	@echo "book: $(BUILD)/book/index.html"

book-check: deps-book
	@$(if $(BOOK_CHAPTERS),,echo "book: no chapters/NN-*.md to check" >&2; exit 1)
	$(BOOK_PANDOC) --output=/dev/null
	@echo "book-check: $(words $(BOOK_CHAPTERS)) chapter(s), every include resolves"
