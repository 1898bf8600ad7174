# make book: the book in three formats, under $(BUILD)/book/:
#   index.html and one page per chapter (open index.html; works from file://),
#   book.epub (EPUB 3) and book.pdf.
# Included by the top-level Makefile, which defines BUILD and deps-book,
# and runs from the repo root. book/README.md explains the pipeline.
#
# 1. Graphviz renders every chapters/figures/NAME.dot to figures/NAME.svg.
# 2. pandoc reads book/preface.md and every chapters/NN-*.md, in number
#    order; book/include.lua fills in listings and exercises, book/book.lua
#    numbers, names and links everything; the result is one AST, book.json.
#    Any missing file, anchor, mark, figure or link target fails here.
# 3. From book.json, in parallel: book/pages.lua writes the web pages,
#    the search data and print.html; pandoc writes the EPUB.
# 4. Chromium prints print.html to book.pdf, twice, to number the
#    contents (book/print-pdf.sh; why Chromium: book/README.md).
#
# `make book-check` runs step 2 only, without keeping the output, for
# `make test`; `make book-browser` (tests/book/) checks the built book.

BOOK_CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*.md))
BOOK_FIGURES := $(sort $(wildcard chapters/figures/*.dot))
BOOK_TITLE := Asynchronous Programming in C
BOOK_SUBTITLE := a workbook
BOOK_OUT = $(BUILD)/book
BOOK_VERSION = $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
BOOK_DATE = $(shell git log -1 --format=%cs 2>/dev/null || date +%F)
BOOK_SVGS = $(patsubst chapters/figures/%.dot,$(BOOK_OUT)/figures/%.svg,$(BOOK_FIGURES))

BOOK_META = --metadata=title:'$(BOOK_TITLE)' --metadata=subtitle:'$(BOOK_SUBTITLE)' \
  --metadata=lang:en --metadata=version:'$(BOOK_VERSION)'

# Step 2. Section numbers come from book.lua, not --number-sections.
BOOK_PANDOC = pandoc --from=markdown --lua-filter=book/include.lua \
  --lua-filter=book/book.lua $(BOOK_META) book/preface.md $(BOOK_CHAPTERS)

.PHONY: book book-check
book: deps-book
	@$(if $(BOOK_CHAPTERS),,echo "book: no chapters/NN-*.md to render" >&2; exit 1)
	@mkdir -p $(BOOK_OUT)/figures
	@$(MAKE) --no-print-directory book-figures
	$(BOOK_PANDOC) --to=json --output=$(BOOK_OUT)/book.json
	@cp book/book.css book/book.js $(BOOK_OUT)/
	@pandoc $(BOOK_OUT)/book.json --lua-filter=book/pages.lua --to=html5 \
	  --highlight-style=pygments --metadata=book-out:$(BOOK_OUT) \
	  --output=/dev/null & pages=$$!; \
	pandoc $(BOOK_OUT)/book.json --to=epub3 --output=$(BOOK_OUT)/book.epub \
	  --toc --toc-depth=2 --highlight-style=pygments --css=book/epub.css \
	  --resource-path=$(BOOK_OUT):. --metadata=date:'$(BOOK_DATE)' \
	  --metadata=subtitle:'$(BOOK_SUBTITLE), version $(BOOK_VERSION)' & epub=$$!; \
	wait $$pages && wait $$epub
	@echo "book: $(BOOK_OUT)/index.html and $(BOOK_OUT)/book.epub"
	@bash book/print-pdf.sh $(BOOK_OUT)
	@echo "book: $(BOOK_OUT)/book.pdf"

.PHONY: book-figures
book-figures: $(BOOK_SVGS)

# Graphviz's SVG names an external DTD, which EPUB 3 forbids: drop it.
$(BOOK_OUT)/figures/%.svg: chapters/figures/%.dot
	@mkdir -p $(@D)
	dot -Tsvg $< | sed '/^<!DOCTYPE/,/>$$/d' > $@.tmp && mv $@.tmp $@

book-check: deps-book
	@$(if $(BOOK_CHAPTERS),,echo "book: no chapters/NN-*.md to check" >&2; exit 1)
	$(BOOK_PANDOC) --to=json --output=/dev/null
	@echo "book-check: $(words $(BOOK_CHAPTERS)) chapter(s), every include, figure and link resolves"

# The built book, checked in headless Chromium, epubcheck and pdftotext
# (tests/book/check_book.py says what each check proves). A part of make test.
.PHONY: book-browser
book-browser: deps-book-test book
	@python3 tests/book/check_book.py $(BOOK_OUT)
