#!/usr/bin/env bash
# book/print-pdf.sh DIR - prints DIR/print.html to DIR/book.pdf with Chromium.
#
# Chromium cannot put page numbers in a table of contents by itself (no
# CSS target-counter), but the PDF it prints names the page of every
# anchor. So it prints twice: the first PDF tells on which page each
# heading landed (pdfinfo -dests), those numbers go into the contents'
# empty <span class="toc-page" data-for="ID"> slots, and the second PDF
# is the book. The numbers only fill space already on their lines, so
# the pages do not move.
set -euo pipefail
dir=$1
profile=$(mktemp -d)
trap 'rm -rf "$profile" "$dir/print-numbered.html" "$dir/pass1.pdf"' EXIT

print() { # html pdf
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --no-pdf-header-footer \
        --generate-pdf-document-outline --print-to-pdf="$2" \
        "file://$(realpath "$1")" >>"$dir/chromium.log" 2>&1
    [[ -s $2 ]] || { cat "$dir/chromium.log" >&2; echo "book: printing $1 failed" >&2; exit 1; }
}

: >"$dir/chromium.log"
print "$dir/print.html" "$dir/pass1.pdf"
# "  12 [ XYZ ... ] "ch02-tasks"" -> s|data-for="ch02-tasks"></span>|data-for="ch02-tasks">12</span>|
pdfinfo -dests "$dir/pass1.pdf" |
    awk 'NR > 1 && $NF ~ /^"[A-Za-z0-9_-]+"$/ { id = $NF; gsub(/"/, "", id);
         printf "s|data-for=\"%s\"></span>|data-for=\"%s\">%s</span>|\n", id, id, $1 }' \
        >"$profile/pages.sed"
sed -f "$profile/pages.sed" "$dir/print.html" >"$dir/print-numbered.html"
print "$dir/print-numbered.html" "$dir/book.pdf"
