--[[ book/book.lua: the book's structure, after book/include.lua.

include.lua gives one list of blocks: the preface, then each chapter,
each starting with its level-1 heading. This filter turns that into a
book that every output format (pages, EPUB, PDF) shares:

- Headings get numbers ("8.3") and stable ids made from the chapter and
  the title: chapter 8 is #ch08, its "Try it" is #ch08-try-it, the
  preface's sections are #preface-....
- Listings (include.lua's div.listing) become "Listing N.M", with ids
  #listing-N-M; their code block is #lN-M, so its lines are #lN-M-K.
- Figures (a paragraph holding only ![caption](figures/NAME.svg){alt=...})
  become "Figure N.M", id #fig-NAME. NAME.dot must exist beside the
  chapters in chapters/figures/ (make book renders it), and alt text is
  required.
- Mentions become links: "chapter 8", "chapters 6 and 7", "Exercise 16"
  (the number make grade-list prints), and a quoted section title
  ("One enter per pass").
- Two pages are added at the end: every exercise, and an index of the
  library's names (inline code starting with aw_) and of section titles.

The chapter list and each chapter's page file go to the metadata
(book-parts), for book/pages.lua. Problems are collected, printed and
fail the build, as in include.lua.
--]]

local stringify = pandoc.utils.stringify

local problems = {}
local function problem(where, msg)
  table.insert(problems, where .. ': ' .. msg)
end

-- A mention of a chapter or exercise that does not exist (yet: chapters
-- are written in parallel) stays plain text, with a warning.
local function warning(where, msg)
  io.stderr:write('book: warning: ', where, ': ', msg, '\n')
end

local function file_exists(path)
  local f = io.open(path, 'rb')
  if f then f:close() end
  return f ~= nil
end

-- "Callbacks: `call_soon` and the ready queue" -> "callbacks-call-soon-and-the-ready-queue"
local function slug(s)
  s = s:lower():gsub('[^%w]+', '-'):gsub('^%-+', ''):gsub('%-+$', '')
  if s == '' then s = 'section' end
  return s
end

local function basename(path)
  return path:match('([^/]+)$'):gsub('%.md$', '')
end

-- The parts of the book: one per input file, each beginning at its
-- level-1 heading.
local function split_parts(blocks)
  local parts, current = {}, nil
  for _, b in ipairs(blocks) do
    if b.t == 'Header' and b.level == 1 then
      current = { header = b, blocks = pandoc.List({ b }) }
      table.insert(parts, current)
    elseif current then
      current.blocks:insert(b)
    else
      problem('book', 'text before the first chapter heading')
    end
  end
  return parts
end

local function number_span(number)
  return pandoc.Span({ pandoc.Str(number) }, pandoc.Attr('', { 'header-section-number' }))
end

-- Ids, numbers, listings and figures of one part.
local function structure(part, ids)
  local seen = {}
  local function unique(id)
    local base, n = id, 1
    while seen[id] or ids[id] do n = n + 1; id = base .. '-' .. n end
    seen[id] = true
    return id
  end
  local counters = { 0, 0, 0 }
  local listings, figures = 0, 0
  part.sections = {}
  local function walk(blocks)
    return pandoc.walk_block(pandoc.Div(blocks), {
      Header = function(h)
        local title = stringify(h.content)
        if h.level == 1 then
          h.identifier = part.prefix
        else
          h.identifier = unique(part.prefix .. '-' .. slug(title))
        end
        local number
        if part.number and h.level <= 3 then
          counters[h.level] = counters[h.level] + 1
          for l = h.level + 1, 3 do counters[l] = 0 end
          local n = { tostring(part.number) }
          for l = 2, h.level do table.insert(n, tostring(counters[l])) end
          number = table.concat(n, '.')
          h.content:insert(1, pandoc.Space())
          h.content:insert(1, number_span(number))
        end
        if not h.classes:includes('unnumbered') then
          h.classes:insert('unnumbered') -- numbered here, not by a writer
        end
        ids[h.identifier] = part
        table.insert(part.sections, {
          level = h.level, id = h.identifier, number = number, title = title,
          content = h.content,
        })
        return h
      end,
      Div = function(div)
        if div.classes:includes('listing') then
          listings = listings + 1
          local n = ('%s.%d'):format(part.number or 'P', listings)
          div.identifier = ('listing-%s'):format(n:gsub('%.', '-'))
          ids[div.identifier] = part
          local file = div.attributes.file
          div.attributes.file = nil
          local caption = div.content[1]
          caption.content = { pandoc.Plain({
            pandoc.Strong({ pandoc.Str('Listing ' .. n) }), pandoc.Space(), pandoc.Code(file),
          }) }
          local cb = div.content[2]
          cb.identifier = 'l' .. n:gsub('%.', '-')
          return div
        elseif div.identifier:match('^exercise%-%d+$') then
          ids[div.identifier] = part
        end
      end,
      Para = function(p)
        local img = #p.content == 1 and p.content[1]
        if not img or img.t ~= 'Image' then return nil end
        local name = img.src:match('^figures/([%w_%-]+)%.svg$')
        if not name then
          problem(part.file, ('figure "%s": want figures/NAME.svg'):format(img.src))
          return nil
        end
        if not file_exists('chapters/figures/' .. name .. '.dot') then
          problem(part.file, ('figure %s: chapters/figures/%s.dot not found'):format(name, name))
        end
        if not img.attributes.alt or img.attributes.alt == '' then
          problem(part.file, ('figure %s: no alt="..." text'):format(name))
        end
        figures = figures + 1
        local n = ('%s.%d'):format(part.number or 'P', figures)
        img.identifier = unique('fig-' .. name)
        ids[img.identifier] = part
        local caption = pandoc.List({ pandoc.Str('Figure ' .. n .. ':'), pandoc.Space() })
        caption:extend(img.caption)
        img.caption = caption
        if img.title == '' then img.title = 'fig:' end
        return p
      end,
    }).content
  end
  part.blocks = walk(part.blocks)
  -- Which section each exercise is in (its chapter's "Exercises").
  local current
  for _, b in ipairs(part.blocks) do
    if b.t == 'Header' then current = b.identifier end
    if b.t == 'Div' and b.classes:includes('exercises') then
      for _, e in ipairs(b.content) do
        if e.t == 'Div' and e.identifier:match('^exercise%-%d+$') then
          e.attributes.section = current
        end
      end
    end
  end
end

-- Links for mentions -----------------------------------------------------

local function is_str(el, pattern)
  return el and el.t == 'Str' and el.text:match(pattern)
end

-- "8" "8," "8." "8)" -> 8, ","
local function number_and_rest(text)
  local n, rest = text:match('^(%d+)([%.,;:%)]*)$')
  if not n then n, rest = text:match("^(%d+)('s[%.,;:%)]*)$") end
  if not n then n, rest = text:match('^(%d+)(\u{2019}s[%.,;:%)]*)$') end
  return n and tonumber(n), rest
end

local function linkify(part, book)
  local function link_to(target, inlines)
    return pandoc.Link(inlines, '#' .. target)
  end
  local function chapter_link(n, rest, out)
    local target = book.by_number[n]
    if not target then
      warning(part.file, ('mentions chapter %d, which does not exist: not linked'):format(n))
      out:insert(pandoc.Str(tostring(n) .. rest))
      return
    end
    out:insert(link_to(target.prefix, { pandoc.Str(tostring(n)) }))
    if rest ~= '' then out:insert(pandoc.Str(rest)) end
  end
  local function exercise_link(n, rest, out)
    if n < 1 or n > book.exercise_count then
      warning(part.file, ('mentions exercise %d; the book has %d: not linked'):format(n, book.exercise_count))
      out:insert(pandoc.Str(tostring(n) .. rest))
      return
    end
    out:insert(link_to('exercise-' .. n, { pandoc.Str(tostring(n)) }))
    if rest ~= '' then out:insert(pandoc.Str(rest)) end
  end

  -- A run "N", "N, M", "N and M", "N–M" after a word, linked by make_link.
  local function numbers_after(inlines, i, out, make_link)
    -- inlines[i] is the word; inlines[i+1] a Space; inlines[i+2] the number.
    local j = i + 2
    local el = inlines[j]
    if not el or el.t ~= 'Str' then return nil end
    local a, b, rest = el.text:match('^(%d+)[–%-](%d+)([%.,;:%)]*)$')
    if a then
      make_link(tonumber(a), '', out)
      out:insert(pandoc.Str('–'))
      make_link(tonumber(b), rest, out)
      return j
    end
    local n, rest1 = number_and_rest(el.text)
    if not n then return nil end
    make_link(n, rest1, out)
    -- continue with ", M" and "and M"
    while true do
      local sp, nxt = inlines[j + 1], inlines[j + 2]
      if sp and (sp.t == 'Space' or sp.t == 'SoftBreak') and is_str(nxt, '^and$') and inlines[j + 3]
        and (inlines[j + 3].t == 'Space' or inlines[j + 3].t == 'SoftBreak') and is_str(inlines[j + 4], '^%d+[%.,;:%)]*$') then
        out:insert(pandoc.Space()); out:insert(pandoc.Str('and')); out:insert(pandoc.Space())
        local m, r = number_and_rest(inlines[j + 4].text)
        make_link(m, r, out)
        j = j + 4
      elseif rest1 == ',' and sp and (sp.t == 'Space' or sp.t == 'SoftBreak') and is_str(nxt, '^%d+[%.,;:%)]*$') then
        out:insert(pandoc.Space())
        local m, r = number_and_rest(nxt.text)
        make_link(m, r, out)
        rest1 = r
        j = j + 2
      else
        break
      end
    end
    return j
  end

  -- "chapter 8" with one number: the whole mention is the link.
  local function merge_single(out, from)
    local rest
    -- out[from + 1] is the word, then a Space, the Link, and maybe ")."
    if #out == from + 4 and out[#out].t == 'Str' then rest = out:remove() end
    if #out ~= from + 3 or out[#out].t ~= 'Link' then
      if rest then out:insert(rest) end
      return
    end
    local link = out:remove()
    out:remove()
    local word = out:remove()
    link.content = pandoc.List({ word, pandoc.Space() }) .. link.content
    out:insert(link)
    if rest then out:insert(rest) end
  end

  local function fix_inlines(inlines)
    local out = pandoc.List()
    local i = 1
    while i <= #inlines do
      local el = inlines[i]
      local done = nil
      -- "(chapter 3)": the parenthesis goes before, as a Str of its own.
      local lead, word = '', nil
      if el.t == 'Str' then lead, word = el.text:match('^([%(%[“"]*)(%a+)$') end
      if word and lead ~= '' and word:match('^[CcEe][hx][ae][pr][tc][ei][rs]') then
        out:insert(pandoc.Str(lead))
        el = pandoc.Str(word)
      end
      local gap = inlines[i + 1]
      if el.t == 'Str' and gap and (gap.t == 'Space' or gap.t == 'SoftBreak') then
        if el.text:match('^[Cc]hapters?$') then
          local from = #out
          out:insert(el); out:insert(pandoc.Space())
          done = numbers_after(inlines, i, out, chapter_link)
          if not done then out:remove(); out:remove()
          elseif done == i + 2 then merge_single(out, from) end
        elseif el.text:match('^[Ee]xercise$') and inlines[i + 2] and inlines[i + 2].t == 'Code'
          and book.exercise_names[inlines[i + 2].text] then
          -- "exercise `event`": the exercise of that name
          out:insert(pandoc.Link({ el, pandoc.Space(), inlines[i + 2] },
            '#' .. book.exercise_names[inlines[i + 2].text]))
          done = i + 2
        elseif el.text:match('^[Ee]xercises?$') then
          local from = #out
          out:insert(el); out:insert(pandoc.Space())
          done = numbers_after(inlines, i, out, exercise_link)
          if not done then out:remove(); out:remove()
          elseif done == i + 2 then merge_single(out, from) end
        end
      elseif el.t == 'Quoted' then
        local title = stringify(el.content)
        local target = book.titles[part.prefix .. '\0' .. title] or book.titles[title]
        if target then
          out:insert(pandoc.Link({ el }, '#' .. target))
          done = i
        end
      end
      if done then
        i = done + 1
      else
        out:insert(el)
        i = i + 1
      end
    end
    return out
  end

  local function walk_inlines(inlines)
    -- Not inside links, code or headings: only running text.
    local fixed = fix_inlines(inlines)
    for _, el in ipairs(fixed) do
      if el.t == 'Emph' or el.t == 'Strong' or el.t == 'Span' then
        el.content = walk_inlines(el.content)
      end
    end
    return fixed
  end
  part.blocks = pandoc.walk_block(pandoc.Div(part.blocks), {
    Para = function(p) p.content = walk_inlines(p.content); return p end,
    Plain = function(p) p.content = walk_inlines(p.content); return p end,
  }).content
end

-- Author links: [text](#id) must name an id of the book.
local function check_links(part, ids)
  pandoc.walk_block(pandoc.Div(part.blocks), {
    Link = function(l)
      local id = l.target:match('^#(.+)$')
      if id and not ids[id] then
        problem(part.file, ('link to #%s: no such heading, listing, figure or exercise'):format(id))
      end
    end,
  })
end

-- The added pages ----------------------------------------------------------

local function exercise_page(parts)
  local blocks = pandoc.List({
    pandoc.Header(1, { pandoc.Str('Exercises') }, pandoc.Attr('exercises', { 'unnumbered' })),
    pandoc.Para(pandoc.read('Every exercise, numbered as `make grade` and `make grade-list` '
      .. 'number them. Each links to its place in its chapter. Edit the file, then grade '
      .. 'it; `make grade` alone grades them all, in this order.', 'markdown').blocks[1].content),
  })
  for _, part in ipairs(parts) do
    local items = pandoc.List()
    pandoc.walk_block(pandoc.Div(part.blocks), {
      Div = function(div)
        local n = div.identifier:match('^exercise%-(%d+)$')
        if not n then return nil end
        local para = div.content[1]
        local title = pandoc.List()
        for _, el in ipairs(para.content[1].content) do title:insert(el) end
        local rest = pandoc.List()
        for k = 2, #para.content do rest:insert(para.content[k]) end
        items:insert({ pandoc.Plain({ pandoc.Link(title, '#' .. div.identifier) }),
          pandoc.Plain(rest) })
      end,
    })
    if #items > 0 then
      local sec = part.exercise_section or part.prefix
      blocks:insert(pandoc.Header(2, {
        pandoc.Link({ pandoc.Str('Chapter ' .. part.number .. ':'), pandoc.Space(),
          table.unpack(part.title_inlines) }, '#' .. sec) },
        pandoc.Attr('exercises-' .. part.prefix, { 'unnumbered' })))
      blocks:insert(pandoc.BulletList(items))
    end
  end
  return blocks
end

local function index_page(parts)
  local terms = {}
  local function add(term, sec)
    terms[term] = terms[term] or { list = {}, seen = {} }
    local t = terms[term]
    if not t.seen[sec.id] then
      t.seen[sec.id] = true
      table.insert(t.list, sec)
    end
  end
  for _, part in ipairs(parts) do
    if part.number then
      local sec = part.sections[1]
      local by_id = {}
      for _, s in ipairs(part.sections) do by_id[s.id] = s end
      for _, b in ipairs(part.blocks) do
        if b.t == 'Header' then
          sec = by_id[b.identifier]
          if b.level >= 2 then add(sec.title:gsub('^[%d%.]+%s+', ''), sec) end
        else
          pandoc.walk_block(b, {
            Code = function(c)
              local name = c.text:match('^(aw_[%w_]+)') or c.text:match('^(AW_[%w_]+)')
              if name then add(name, sec) end
            end,
          })
        end
      end
    end
  end
  local names = {}
  for k in pairs(terms) do table.insert(names, k) end
  -- Sorted without a leading article, and grouped by that first letter.
  local function key(name)
    local k = name:lower():gsub('^the ', ''):gsub('^an? ', ''):gsub('^[^%w]+', '')
    return k
  end
  local function is_name(n) return n:match('^[aA][wW]_') ~= nil end
  table.sort(names, function(a, b)
    if is_name(a) ~= is_name(b) then return is_name(a) end
    local la, lb = key(a), key(b)
    if la == lb then return a < b end
    return la < lb
  end)
  local blocks = pandoc.List({
    pandoc.Header(1, { pandoc.Str('Index') }, pandoc.Attr('index', { 'unnumbered' })),
    pandoc.Para(pandoc.read('The library\'s names (`aw_...`, `AW_...`) and the titles of '
      .. 'the sections, each with the sections that use them.', 'markdown').blocks[1].content),
  })
  local items, letter = pandoc.List(), nil
  local function flush()
    if #items > 0 then blocks:insert(pandoc.BulletList(items)) end
    items = pandoc.List()
  end
  for _, name in ipairs(names) do
    local first = name:match('^[aA][wW]_') and 'aw_, AW_' or key(name):sub(1, 1):upper()
    if first ~= letter then
      flush()
      letter = first
      blocks:insert(pandoc.Div({ pandoc.Para({ pandoc.Strong({ pandoc.Str(letter) }) }) },
        pandoc.Attr('index-' .. slug(letter), { 'index-letter' })))
    end
    local t = terms[name]
    local line = pandoc.List()
    if name:match('^[aA][wW]_') then line:insert(pandoc.Code(name)) else line:insert(pandoc.Str(name)) end
    line:insert(pandoc.Str(':'))
    for k, sec in ipairs(t.list) do
      if k > 12 then line:insert(pandoc.Space()); line:insert(pandoc.Str('…')); break end
      line:insert(pandoc.Space())
      line:insert(pandoc.Link({ pandoc.Str(sec.number or sec.title) }, '#' .. sec.id))
    end
    items:insert({ pandoc.Plain(line) })
  end
  flush()
  return blocks
end

function Pandoc(doc)
  local files = PANDOC_STATE.input_files
  local parts = split_parts(doc.blocks)
  if #parts ~= #files then
    problem('book', ('%d input files but %d level-1 headings: each file needs exactly one')
      :format(#files, #parts))
  end
  local book = { by_number = {}, titles = {}, exercise_count = 0, exercise_names = {} }
  local ids = {}
  local chapter = 0
  for k, part in ipairs(parts) do
    part.file = files[k] or '?'
    if part.header.classes:includes('unnumbered') then
      part.prefix = (k == 1) and 'preface' or slug(stringify(part.header.content))
      part.page = (k == 1) and 'index.html' or (part.prefix .. '.html')
    else
      -- A chapter's number is its file's (11-system.md is chapter 11,
      -- even while 09 and 10 are still to come); else the next one.
      local nn = basename(part.file):match('^(%d+)%-')
      chapter = nn and tonumber(nn) or chapter + 1
      part.number = chapter
      part.prefix = ('ch%02d'):format(chapter)
      part.page = basename(part.file) .. '.html'
      book.by_number[chapter] = part
    end
    part.title_inlines = pandoc.List(part.header.content)
    structure(part, ids)
  end
  for _, part in ipairs(parts) do
    for _, s in ipairs(part.sections) do
      if s.level >= 2 then
        local plain = s.title:gsub('^[%d%.]+%s+', '')
        book.titles[part.prefix .. '\0' .. plain] = s.id
        if book.titles[plain] == nil then book.titles[plain] = s.id
        else book.titles[plain] = false end -- ambiguous across chapters
        if plain == 'Exercises' then part.exercise_section = s.id end
      end
    end
    pandoc.walk_block(pandoc.Div(part.blocks), {
      Div = function(div)
        if div.identifier:match('^exercise%-%d+$') then
          book.exercise_count = book.exercise_count + 1
          pandoc.walk_block(div, { Code = function(c)
            local name = c.text:match('^exercises/[^/]+/([%w_]+)%.c$')
            if name then book.exercise_names[name] = div.identifier end
          end })
        end
      end,
    })
  end
  for _, part in ipairs(parts) do linkify(part, book) end

  local extra = {
    { blocks = exercise_page(parts), prefix = 'exercises', page = 'exercises.html' },
    { blocks = index_page(parts), prefix = 'index', page = 'book-index.html' },
  }
  for _, x in ipairs(extra) do
    x.file = x.page
    x.header = x.blocks[1]
    x.sections = {}
    for _, b in ipairs(x.blocks) do
      if b.t == 'Header' then
        ids[b.identifier] = x
        table.insert(x.sections, { level = b.level, id = b.identifier, title = stringify(b.content) })
      end
    end
    table.insert(parts, x)
  end
  for _, part in ipairs(parts) do check_links(part, ids) end

  if #problems > 0 then
    for _, p in ipairs(problems) do io.stderr:write('book: ', p, '\n') end
    error(('%d problem(s) in the book, listed above'):format(#problems), 0)
  end

  local blocks, meta_parts = pandoc.List(), pandoc.List()
  for _, part in ipairs(parts) do
    blocks:extend(part.blocks)
    meta_parts:insert(pandoc.MetaMap({
      id = pandoc.MetaString(part.prefix),
      page = pandoc.MetaString(part.page),
      number = pandoc.MetaString(part.number and tostring(part.number) or ''),
    }))
  end
  doc.meta['book-parts'] = pandoc.MetaList(meta_parts)
  return pandoc.Pandoc(blocks, doc.meta)
end
