--[[ book/pages.lua: writes the web book from the AST that book/book.lua made.

Run as `pandoc BOOK.json --lua-filter=book/pages.lua -t html5 -o /dev/null`
with -M book-out=DIR (where to write) and -M version=... (git describe).
It writes, into DIR:

  index.html          title page and preface
  NN-name.html        one page per chapter
  exercises.html      every exercise, linking to its chapter
  book-index.html     the index
  search-index.js     the search data, as a script (so file:// works: no fetch)
  print.html          the whole book on one page, for the PDF

Every page has the sidebar (the whole book's contents), prev/next at
the top and the bottom, and a search box. Links between pages are made
here: the AST links to #id, and a link whose id lives on another page
becomes PAGE#id. Lines that an include marked (mark="...") get
class="mark".
--]]

local stringify = pandoc.utils.stringify

local function esc(s)
  return (s:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;'))
end

local function write_file(path, text)
  local f = assert(io.open(path, 'wb'))
  f:write(text)
  f:close()
end

local function meta_string(meta, key, default)
  local v = meta[key]
  if v == nil then return default end
  return stringify(v)
end

-- A JSON string (for the search data).
local function json_string(s)
  s = s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == '\\' then return '\\\\'
    elseif c == '\n' then return '\\n' elseif c == '\t' then return ' '
    else return ('\\u%04x'):format(c:byte()) end
  end)
  return '"' .. s .. '"'
end

local function split_parts(blocks, meta_parts)
  local parts, k = {}, 0
  for _, b in ipairs(blocks) do
    if b.t == 'Header' and b.level == 1 then
      k = k + 1
      local m = meta_parts[k]
      parts[k] = {
        id = stringify(m.id), page = stringify(m.page), number = stringify(m.number),
        header = b, blocks = pandoc.List({ b }),
      }
    else
      parts[k].blocks:insert(b)
    end
  end
  return parts
end

-- Every identifier in the book, and the page it is on.
local function id_pages(parts)
  local ids = {}
  for _, part in ipairs(parts) do
    local function add(el) if el.identifier and el.identifier ~= '' then ids[el.identifier] = part end end
    pandoc.walk_block(pandoc.Div(part.blocks), {
      Header = add, Div = add, Span = add, CodeBlock = add, Image = add,
    })
  end
  return ids
end

local function sections_of(part)
  local out = {}
  for _, b in ipairs(part.blocks) do
    if b.t == 'Header' then
      table.insert(out, { level = b.level, id = b.identifier, content = b.content })
    end
  end
  return out
end

-- HTML of some inlines (a heading's content), without the outer <p>.
local function inline_html(inlines)
  local html = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'html5')
  return (html:gsub('\n$', ''))
end

-- Inlines without links (a heading in the sidebar is itself a link).
local function unlink(inlines)
  return pandoc.walk_inline(pandoc.Span(inlines), {
    Link = function(l) return l.content end,
  }).content
end

local function title_html(sec)
  return inline_html(unlink(sec.content))
end

-- Marks the lines listed in a code block's marks="..." attribute.
local function apply_marks(html, blocks)
  local marks = {}
  pandoc.walk_block(pandoc.Div(blocks), {
    CodeBlock = function(cb)
      if cb.attributes.marks and cb.identifier ~= '' then
        marks[cb.identifier] = cb.attributes.marks
      end
    end,
  })
  for id, list in pairs(marks) do
    for n in list:gmatch('%d+') do
      local span = ('<span id="%s-%s">'):format(id, n)
      html = html:gsub(span:gsub('%p', '%%%0'), ('<span id="%s-%s" class="mark">'):format(id, n), 1)
    end
  end
  return html
end

local function write_blocks(blocks)
  local html = pandoc.write(pandoc.Pandoc(blocks), 'html5', PANDOC_WRITER_OPTIONS)
  return apply_marks(html, blocks)
end

-- Links to #id on another page become PAGE#id; a part's own id is its page.
local function relink(blocks, this, ids)
  return pandoc.walk_block(pandoc.Div(blocks), {
    Link = function(l)
      local id = l.target:match('^#(.+)$')
      if not id then return nil end
      local part = ids[id]
      if not part then return nil end
      if id == part.id then
        l.target = part.page
      elseif part ~= this then
        l.target = part.page .. '#' .. id
      end
      return l
    end,
  }).content
end

-- Each part's entry in the sidebar, made once (pandoc.write is not free).
local sidebar_cache = {}
local function sidebar_entry(part)
  if sidebar_cache[part] then return sidebar_cache[part] end
  local secs = sections_of(part)
  local sub = {}
  for _, s in ipairs(secs) do
    if s.level == 2 then
      table.insert(sub, ('<li><a href="%s#%s">%s</a></li>'):format(part.page, s.id, title_html(s)))
    end
  end
  local entry = { label = title_html(secs[1]), sub = #sub > 0 and ('<ol>' .. table.concat(sub) .. '</ol>') or '' }
  sidebar_cache[part] = entry
  return entry
end

local function sidebar(parts, this)
  local out = { '<nav id="sidebar" aria-label="Contents">',
    '<form class="search" role="search" onsubmit="return false">',
    '<input type="search" id="search-box" placeholder="Search the book" aria-label="Search the book" autocomplete="off">',
    '</form>', '<div id="search-results" hidden></div>',
    '<ol class="toc">' }
  for _, part in ipairs(parts) do
    local entry = sidebar_entry(part)
    local current = part == this
    table.insert(out, ('<li class="part%s"><details%s><summary><a href="%s"%s>%s</a></summary>')
      :format(current and ' current' or '', current and ' open' or '', part.page,
        current and ' aria-current="page"' or '', entry.label))
    table.insert(out, entry.sub)
    table.insert(out, '</details></li>')
  end
  table.insert(out, '</ol></nav>')
  return table.concat(out, '\n')
end

local function pager(parts, k, where)
  local prev, next = parts[k - 1], parts[k + 1]
  local function label(part)
    return inline_html(unlink(part.header.content))
  end
  local html = { ('<nav class="pager %s" aria-label="Previous and next">'):format(where) }
  if prev then
    table.insert(html, ('<a class="prev" rel="prev" href="%s"><span class="dir">← Previous</span> %s</a>')
      :format(prev.page, label(prev)))
  else
    table.insert(html, '<span></span>')
  end
  if next then
    table.insert(html, ('<a class="next" rel="next" href="%s"><span class="dir">Next →</span> %s</a>')
      :format(next.page, label(next)))
  end
  table.insert(html, '</nav>')
  return table.concat(html)
end

local function title_page(meta, version, exercises_href)
  local title = meta_string(meta, 'title', 'The book')
  local subtitle = meta_string(meta, 'subtitle', '')
  return table.concat({
    '<header class="titlepage">',
    ('<p class="book-title">%s</p>'):format(esc(title)),
    subtitle ~= '' and ('<p class="book-subtitle">%s</p>'):format(esc(subtitle)) or '',
    ('<p class="book-version">Version <code>%s</code></p>'):format(esc(version)),
    '<div class="start"><p>From the top of the workbook, two commands start everything:</p>',
    '<pre class="commands"><code>make grade   # grade your exercises, in order\n',
    'make book    # build this book (web, EPUB, PDF)</code></pre>',
    '<p><code>make watch</code> grades the exercise you are on each time you save it.</p>',
    '<p>The exercises are in <code>exercises/CHAPTER/NAME.c</code>, one file each; ',
    ('<a href="%s">the list</a>'):format(exercises_href) .. ' gives their numbers and where each chapter explains them.</p></div>',
    '</header>',
  })
end

local function page_html(o)
  return table.concat({
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ('<title>%s</title>'):format(esc(o.title)),
    '<link rel="stylesheet" href="book.css">',
    '</head>',
    ('<body class="%s">'):format(o.class or 'page'),
    '<a class="skip" href="#content">Skip to the text</a>',
    '<header class="topbar">',
    '<button id="menu-button" type="button" aria-controls="sidebar" aria-expanded="false" title="Contents">☰</button>',
    ('<a class="topbar-title" href="index.html">%s</a>'):format(esc(o.book_title)),
    '</header>',
    o.sidebar or '',
    '<main id="content">',
    o.top or '',
    o.body,
    o.bottom or '',
    '</main>',
    o.scripts or '',
    '</body>',
    '</html>',
    '',
  }, '\n')
end

local function search_data(parts)
  local entries = {}
  for _, part in ipairs(parts) do
    local sec, texts = nil, {}
    local function flush()
      if sec then
        local text = table.concat(texts, ' '):gsub('%s+', ' ')
        table.insert(entries, ('{"p":%s,"a":%s,"t":%s,"x":%s}'):format(
          json_string(part.page), json_string(sec.id == part.id and '' or sec.id),
          json_string(stringify(sec.content)), json_string(text)))
      end
    end
    for _, b in ipairs(part.blocks) do
      if b.t == 'Header' then
        flush()
        sec, texts = { id = b.identifier, content = b.content }, {}
      elseif b.t ~= 'CodeBlock' then
        -- prose and inline code, not whole listings or their captions
        local prose = pandoc.walk_block(b, {
          CodeBlock = function() return {} end,
          Div = function(d) if d.classes:includes('listing-file') then return {} end end,
        })
        pandoc.walk_block(pandoc.Div({ prose }), {
          Plain = function(p) table.insert(texts, stringify(p)) end,
          Para = function(p) table.insert(texts, stringify(p)) end,
        })
      end
    end
    flush()
  end
  return '/* The book\'s search data, made by make book (book/pages.lua). */\n'
    .. 'var BOOK_SEARCH = [\n' .. table.concat(entries, ',\n') .. '\n];\n'
end

local function print_toc(parts)
  local out = { '<nav id="print-toc"><h1 class="toc-title">Contents</h1><ol>' }
  for _, part in ipairs(parts) do
    local secs = sections_of(part)
    table.insert(out, ('<li><a href="#%s">%s</a><span class="toc-page" data-for="%s"></span>')
      :format(part.id, title_html(secs[1]), part.id))
    if part.number ~= '' then
      table.insert(out, '<ol>')
      for _, s in ipairs(secs) do
        if s.level == 2 then
          table.insert(out, ('<li><a href="#%s">%s</a><span class="toc-page" data-for="%s"></span></li>')
            :format(s.id, title_html(s), s.id))
        end
      end
      table.insert(out, '</ol>')
    end
    table.insert(out, '</li>')
  end
  table.insert(out, '</ol></nav>')
  return table.concat(out, '\n')
end

function Pandoc(doc)
  local out = meta_string(doc.meta, 'book-out', nil)
  if not out then error('pages.lua: give -M book-out=DIR', 0) end
  local version = meta_string(doc.meta, 'version', 'unknown')
  local book_title = meta_string(doc.meta, 'title', 'The book')
  local parts = split_parts(doc.blocks, doc.meta['book-parts'])
  local ids = id_pages(parts)
  local scripts = '<script src="search-index.js"></script>\n<script src="book.js"></script>'

  for k, part in ipairs(parts) do
    local body = write_blocks(relink(part.blocks, part, ids))
    local title = stringify(unlink(part.header.content))
    if k == 1 then body = title_page(doc.meta, version, 'exercises.html') .. '\n' .. body end
    write_file(out .. '/' .. part.page, page_html({
      title = (k == 1) and book_title or (title .. ' · ' .. book_title),
      book_title = book_title,
      sidebar = sidebar(parts, part),
      top = pager(parts, k, 'top'),
      body = body,
      bottom = pager(parts, k, 'bottom'),
      scripts = scripts,
    }))
  end
  write_file(out .. '/search-index.js', search_data(parts))

  -- The whole book on one page, for printing to PDF.
  local all = pandoc.List()
  for _, part in ipairs(parts) do all:extend(part.blocks) end
  write_file(out .. '/print.html', page_html({
    title = book_title, book_title = book_title, class = 'print',
    body = title_page(doc.meta, version, '#exercises') .. '\n' .. print_toc(parts) .. '\n' .. write_blocks(all),
  }))
  return doc
end
