--[[ book/include.lua: the pandoc Lua filter that assembles the book.

Pandoc is given the chapters as inputs, but it parses them as one
concatenated text, so the AST no longer knows which file a block came
from. To name the chapter in error messages, this filter re-reads each
input file on its own, rewrites it, and joins the results.

Rewrites, all paths relative to the repo root (make runs there):

  ```{.c include="chapters/examples/01/hello.c"}
  ```
  ```{.c include="chapters/examples/01/hello.c" anchor="main"}
  ```
  ```{.c include="chapters/examples/01/hello.c" lines="5-20"}
  ```
      The (empty) block gets the file's text: the whole file, the region
      between lines containing "ANCHOR: main" and "ANCHOR_END: main"
      (several regions of one name are joined), or a line range
      ("5-20", "5-", "5") of the file as an editor numbers it. Lines
      carrying any ANCHOR/ANCHOR_END marker are dropped, the common
      indentation is removed, and a caption names the file.

  ```{.c include="lib/loop.c" anchor="run_once" numbers="yes"
      mark="poll_timeout(loop)|size_t ntodo..run_callback(loop, item"}
  ```
      numbers="yes" shows the file's own line numbers (the region must
      be one run of lines). mark="..." marks the lines to look at: a
      list split by "|", each a piece of text that marks every line
      containing it, or "FROM..TO", marking from the first line with
      FROM to the next line with TO. A piece that marks nothing is a
      problem, so a mark cannot drift away from its code unnoticed. The
      marked line numbers go to the block's "marks" attribute (as the
      HTML writer numbers the lines); book/pages.lua highlights them.

  ::: {.exercises chapter="01-coroutines"}
  Optional text, kept before the list.
  :::
      Gets that chapter's exercises from exercises/LIST, numbered as in
      the whole list, because the grader prints the same numbers.

```{.diagram} blocks need nothing here: book.css styles pre.diagram.

Every problem (missing file, anchor, stub, ...) is collected, printed
with the chapter's name, and then error() makes pandoc exit non-zero,
so `make book-check` reports all of them in one run.
--]]

local LIST = 'exercises/LIST'

local problems = {}
local function problem(where, msg)
  table.insert(problems, where .. ': ' .. msg)
end

local function read_file(path)
  local f = io.open(path, 'rb')
  if not f then return nil end
  local text = f:read('a')
  f:close()
  return text
end

local function split_lines(text)
  local lines = {}
  text = text:gsub('\r\n', '\n')
  if text:sub(-1) ~= '\n' then text = text .. '\n' end
  for line in text:gmatch('(.-)\n') do table.insert(lines, line) end
  return lines
end

local function is_blank(s) return s:match('^%s*$') ~= nil end

-- Lines of a file as records: n, the line number an editor shows; s, the text.
local function numbered(lines)
  local out = {}
  for n, s in ipairs(lines) do out[n] = { n = n, s = s } end
  return out
end

local function is_marker(line)
  return line:find('ANCHOR:', 1, true) or line:find('ANCHOR_END:', 1, true)
end

-- Removes blank lines at both ends and the indentation all lines share
-- (records in, records out: the line numbers stay).
local function tidy(lines)
  local first, last = 1, #lines
  while first <= last and is_blank(lines[first].s) do first = first + 1 end
  while last >= first and is_blank(lines[last].s) do last = last - 1 end
  local indent
  for i = first, last do
    if not is_blank(lines[i].s) then
      local lead = lines[i].s:match('^[ \t]*')
      if not indent or #lead < #indent then indent = lead end
    end
  end
  local out = {}
  for i = first, last do
    local line = lines[i].s
    if line:sub(1, #indent) == indent then line = line:sub(#indent + 1) end
    table.insert(out, { n = lines[i].n, s = (line:gsub('%s+$', '')) })
  end
  return out
end

-- Lines of the anchor's region(s), or nil and why not.
local function anchor_region(lines, name)
  local out, inside, found = {}, false, false
  for n, rec in ipairs(lines) do
    local line = rec.s
    local start = line:match('ANCHOR:%s*([%w_%.%-]+)')
    local stop = line:match('ANCHOR_END:%s*([%w_%.%-]+)')
    if start == name then
      inside, found = true, true
    elseif stop == name then
      if not inside then
        return nil, ('ANCHOR_END: %s on line %d has no ANCHOR: %s before it')
          :format(name, n, name)
      end
      inside = false
    elseif inside then
      table.insert(out, rec)
    end
  end
  if not found then
    return nil, ('no anchor "%s" (want lines with ANCHOR: %s and ANCHOR_END: %s)')
      :format(name, name, name)
  end
  if inside then
    return nil, ('anchor "%s" has no ANCHOR_END: %s'):format(name, name)
  end
  return out
end

local function line_range(lines, spec)
  local a, dash, b = spec:match('^%s*(%d+)%s*(%-?)%s*(%d*)%s*$')
  if not a then
    return nil, ('lines="%s" is not N, N-M or N-'):format(spec)
  end
  a = tonumber(a)
  b = (b ~= '' and tonumber(b)) or (dash == '-' and #lines) or a
  if a < 1 or b < a or b > #lines then
    return nil, ('lines="%s" is outside the file (%d lines)'):format(spec, #lines)
  end
  return table.move(lines, a, b, 1, {})
end

-- The numbers (as the HTML writer will number them: from startFrom when
-- the lines are numbered, else from 1) of the lines mark="..." selects.
local function marked_lines(lines, spec, first_number)
  local marks, why = {}, nil
  for piece in (spec .. '|'):gmatch('(.-)|') do
    local from, to = piece:match('^(.-)%.%.(.+)$')
    local hit = false
    if from then
      local i = 1
      while i <= #lines do
        if lines[i].s:find(from, 1, true) then
          local j = i
          while j <= #lines and not lines[j].s:find(to, 1, true) do j = j + 1 end
          if j > #lines then break end
          for k = i, j do marks[k] = true end
          hit, i = true, j
        end
        i = i + 1
      end
    else
      for i, rec in ipairs(lines) do
        if piece ~= '' and rec.s:find(piece, 1, true) then marks[i], hit = true, true end
      end
    end
    if not hit then
      why = ('mark "%s" marks no line'):format(piece)
    end
  end
  local out = {}
  for i = 1, #lines do
    if marks[i] then table.insert(out, tostring(first_number + i - 1)) end
  end
  return table.concat(out, ' '), why
end

local function include(cb, chapter)
  local path = cb.attributes.include
  local anchor, range = cb.attributes.anchor, cb.attributes.lines
  local mark, numbers = cb.attributes.mark, cb.attributes.numbers
  for _, k in ipairs({ 'include', 'anchor', 'lines', 'mark', 'numbers' }) do
    cb.attributes[k] = nil
  end
  local where = ('include "%s"'):format(path)

  local text = read_file(path)
  if not text then
    problem(chapter, where .. ': file not found')
    return cb
  end
  local lines, why = numbered(split_lines(text)), nil
  if anchor and range then
    why = 'give anchor or lines, not both'
  elseif anchor then
    lines, why = anchor_region(lines, anchor)
  elseif range then
    lines, why = line_range(lines, range)
  end
  if lines then
    local kept = {}
    for _, rec in ipairs(lines) do
      if not is_marker(rec.s) then table.insert(kept, rec) end
    end
    lines = tidy(kept)
    if #lines == 0 then why = 'the included text is empty' end
  end
  local first_number = 1
  if lines and not why and numbers then
    for i = 2, #lines do
      if lines[i].n ~= lines[i - 1].n + 1 then
        why = ('numbers="%s": the lines are not one run (line %d follows %d)')
          :format(numbers, lines[i].n, lines[i - 1].n)
        break
      end
    end
    first_number = lines[1].n
    cb.classes:insert('numberLines')
    cb.attributes.startFrom = tostring(first_number)
  end
  if lines and not why and mark then
    cb.attributes.marks, why = marked_lines(lines, mark, first_number)
  end
  if why then
    problem(chapter, ('%s%s: %s'):format(where,
      anchor and (' anchor "%s"'):format(anchor) or '', why))
    return cb
  end

  local texts = {}
  for i, rec in ipairs(lines) do texts[i] = rec.s end
  cb.text = table.concat(texts, '\n')
  local caption = pandoc.Div({ pandoc.Plain({ pandoc.Code(path) }) },
    pandoc.Attr('', { 'listing-file' }))
  return pandoc.Div({ caption, cb }, pandoc.Attr('', { 'listing' }, { file = path }))
end

-- exercises/LIST, loaded once: entries in order, each with its global
-- number, and the ones of each chapter.
local list
local function load_list()
  if list then return list end
  list = { entries = {}, by_chapter = {}, shown = {} }
  local text = read_file(LIST)
  if not text then return list end
  for n, line in ipairs(split_lines(text)) do
    if not is_blank(line) and not line:match('^%s*#') then
      local fields = {}
      for field in (line .. ' | '):gmatch('(.-) | ') do
        table.insert(fields, (field:gsub('^%s+', ''):gsub('%s+$', '')))
      end
      local name, title = fields[1], fields[2]
      local ch = name and name:match('^([^/]+)/[^/]+$')
      if not ch or not title or title == '' then
        problem(('%s line %d'):format(LIST, n), 'want "CHAPTER/EXERCISE | TITLE | HINT"')
      else
        local e = { name = name, title = title, number = #list.entries + 1 }
        table.insert(list.entries, e)
        list.by_chapter[ch] = list.by_chapter[ch] or {}
        table.insert(list.by_chapter[ch], e)
      end
    end
  end
  list.exists = true
  return list
end

local function exercise_item(e, chapter)
  local stub = 'exercises/' .. e.name .. '.c'
  if not read_file(stub) then
    problem(chapter, ('exercise %s: stub %s not found'):format(e.name, stub))
  end
  -- Titles may use markdown (`code`), so parse them.
  local title = pandoc.read(e.title, 'markdown').blocks
  title = title[1] and title[1].content or {}
  local head = pandoc.List({ pandoc.Str(('Exercise %d:'):format(e.number)), pandoc.Space() })
  head:extend(title)
  return pandoc.Div({ pandoc.Para({
    pandoc.Strong(head), pandoc.LineBreak(),
    pandoc.Str('Edit'), pandoc.Space(), pandoc.Code(stub), pandoc.LineBreak(),
    pandoc.Str('Grade with'), pandoc.Space(), pandoc.Code('make grade EX=' .. e.name),
  }) }, pandoc.Attr('exercise-' .. e.number, { 'exercise' }))
end

local function exercises(div, chapter)
  if not div.classes:includes('exercises') then return nil end
  local ch = div.attributes.chapter
  div.attributes.chapter = nil
  if not ch or ch == '' then
    problem(chapter, 'exercises div without chapter="NN-name"')
    return div
  end
  local l = load_list()
  local mine = l.by_chapter[ch]
  if not l.exists then
    problem(chapter, ('exercises chapter="%s": %s not found'):format(ch, LIST))
    return div
  elseif not mine then
    problem(chapter, ('exercises chapter="%s": no exercise %s/... in %s'):format(ch, ch, LIST))
    return div
  end
  l.shown[ch] = true
  for _, e in ipairs(mine) do div.content:insert(exercise_item(e, chapter)) end
  local note = pandoc.read('Hints are not shown here: when a grader fails it '
    .. 'prints the hint for that exercise, and all hints are in `' .. LIST .. '`.',
    'markdown').blocks
  div.content:insert(pandoc.Div(note, pandoc.Attr('', { 'hint-note' })))
  return div
end

-- An exercise in the list but in no chapter would leave a gap in the
-- numbers the grader prints, so that is a problem too.
local function check_all_shown()
  local l = load_list()
  for _, e in ipairs(l.entries) do
    local ch = e.name:match('^[^/]+')
    if not l.shown[ch] then
      problem(LIST, ('exercise %d (%s) is in no chapter: add ::: {.exercises chapter="%s"}')
        :format(e.number, e.name, ch))
    end
  end
end

-- Each chapter is parsed alone, so header ids can repeat across
-- chapters ("exercises"); renumber them as pandoc would in one text.
local function unique_ids(blocks)
  local seen = {}
  return pandoc.walk_block(pandoc.Div(blocks), { Header = function(h)
    if h.identifier == '' then return nil end
    local id, n = h.identifier, 0
    while seen[id] do n = n + 1; id = h.identifier .. '-' .. n end
    seen[id] = true
    h.identifier = id
    return h
  end }).content
end

function Pandoc(doc)
  local blocks = pandoc.List()
  for _, chapter in ipairs(PANDOC_STATE.input_files) do
    local text = read_file(chapter)
    if not text then error(chapter .. ': cannot read', 0) end
    local parsed = pandoc.read(text, 'markdown', PANDOC_READER_OPTIONS)
    local body = pandoc.walk_block(pandoc.Div(parsed.blocks), {
      CodeBlock = function(cb)
        if cb.attributes.include then return include(cb, chapter) end
      end,
      Div = function(div) return exercises(div, chapter) end,
    })
    blocks:extend(body.content)
  end
  check_all_shown()
  if #problems > 0 then
    for _, p in ipairs(problems) do io.stderr:write('book: ', p, '\n') end
    error(('%d problem(s) in the book, listed above'):format(#problems), 0)
  end
  return pandoc.Pandoc(unique_ids(blocks), doc.meta)
end
