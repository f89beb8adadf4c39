-- Headless smoke test of the Neovim client against a real `zan lsp`:
--
--   ZAN_BIN=/path/to/zan nvim --headless -u NONE --cmd 'set rtp+=editors/nvim' \
--     -c 'luafile editors/nvim/test/smoke.lua'
--
-- Run from the repository root (or set ZAN_REPO). It opens rulebooks/kz-visa/visas.zan (or
-- ZAN_SMOKE_FILE), waits for the client to attach and for the first diagnostics, then asks for a
-- hover and a definition on a use of a rule and for formatting, and prints what came back.
-- Exits with status 0 when the client attached and every request got an answer (even an empty
-- one), 1 otherwise. Works on Neovim 0.7 and later.

local results = {}
local failed = false
local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end
local function report(ok, what)
  if not ok then
    failed = true
  end
  out((ok and 'ok   ' or 'FAIL ') .. what)
  table.insert(results, { ok = ok, what = what })
end
local function finish()
  out(failed and 'smoke test: FAILED' or 'smoke test: passed')
  vim.cmd(failed and 'cquit 1' or 'qa!')
end

local script_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local repo = os.getenv('ZAN_REPO') or vim.fn.fnamemodify(script_dir, ':h:h:h')
local bin = os.getenv('ZAN_BIN') or 'zan'
local file = os.getenv('ZAN_SMOKE_FILE') or (repo .. '/rulebooks/kz-visa/visas.zan')
local timeout = tonumber(os.getenv('ZAN_SMOKE_TIMEOUT_MS') or '30000')

out('nvim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch))
out('server: ' .. bin .. ' lsp')
out('file: ' .. file)

vim.cmd('filetype plugin on')
vim.cmd('syntax on')

-- Record every publishDiagnostics notification, including empty ones.
local published = {}
local original_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result then
    published[result.uri] = result.diagnostics
  end
  return original_publish(err, result, ctx, config)
end

local zan = require('zan')
local ok_setup, setup_err = pcall(zan.setup, { cmd = { bin, 'lsp' }, keymaps = true })
report(ok_setup, 'require("zan").setup() (API ' .. zan.api_level() .. ')' .. (ok_setup and '' or (': ' .. tostring(setup_err))))

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
report(vim.bo.filetype == 'zan', 'filetype of ' .. vim.fn.fnamemodify(file, ':t') .. ' is "' .. vim.bo.filetype .. '"')

local function buf_clients()
  if vim.lsp.get_clients ~= nil then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'zan' })
  end
  local found = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'zan' then
      table.insert(found, c)
    end
  end
  return found
end

local attached = vim.wait(timeout, function()
  local cs = buf_clients()
  return #cs > 0 and cs[1].initialized == true
end, 100)
local client = buf_clients()[1]
report(attached, 'client attached and initialized' .. (client and (' (root ' .. tostring(client.config.root_dir) .. ')') or ''))
if not attached then
  finish()
  return
end

local caps = client.server_capabilities or client.resolved_capabilities or {}
local function cap(name)
  local v = caps[name]
  return v ~= nil and v ~= false
end
out('server capabilities: hover=' .. tostring(cap('hoverProvider')) .. ' definition=' .. tostring(cap('definitionProvider'))
  .. ' formatting=' .. tostring(cap('documentFormattingProvider')) .. ' references=' .. tostring(cap('referencesProvider'))
  .. ' documentSymbol=' .. tostring(cap('documentSymbolProvider')))

local uri = vim.uri_from_bufnr(bufnr)
local got_diags = vim.wait(timeout, function()
  return published[uri] ~= nil
end, 100)
if got_diags then
  local by_severity = { 0, 0, 0, 0 }
  for _, d in ipairs(published[uri]) do
    local s = d.severity or 1
    by_severity[s] = (by_severity[s] or 0) + 1
  end
  report(true, string.format('diagnostics published for the file: %d (errors %d, warnings %d, info %d, hints %d); vim.diagnostic has %d',
    #published[uri], by_severity[1], by_severity[2], by_severity[3], by_severity[4], #vim.diagnostic.get(bufnr)))
  for i, d in ipairs(published[uri]) do
    if i > 5 then
      out('  ...')
      break
    end
    out(string.format('  %d:%d %s %s', d.range.start.line + 1, d.range.start.character + 1, tostring(d.code or ''), (d.message:gsub('\n', ' '))))
  end
  local others = 0
  for u, _ in pairs(published) do
    if u ~= uri then
      others = others + 1
    end
  end
  out('  diagnostics were also published for ' .. others .. ' other file(s)')
else
  report(false, 'no textDocument/publishDiagnostics for the file within ' .. timeout .. ' ms')
end

-- A use of a rule in a rule body: the first line that mentions `visa_service_operation`
-- without declaring it.
local target = os.getenv('ZAN_SMOKE_SYMBOL') or 'visa_service_operation'
local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
local pos
for i, line in ipairs(lines) do
  local col = line:find(target, 1, true)
  if col and not line:match('^%s*[%w ]*rule%s') and not line:match('^%s*///') and not line:match('^%s*//') and not line:match('cites') then
    pos = { line = i - 1, character = col - 1 + 2 }
    break
  end
end
if pos == nil then
  report(false, 'no use of ' .. target .. ' found in the file')
  finish()
  return
end
out(string.format('position: %s at %d:%d', target, pos.line + 1, pos.character + 1))
local params = { textDocument = { uri = uri }, position = pos }

local function request(method, p)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, p, timeout)
  if responses == nil then
    return nil, tostring(err or 'no response')
  end
  for _, r in pairs(responses) do
    if r.err then
      return nil, vim.inspect(r.err)
    end
    return r.result, nil
  end
  return nil, 'no response'
end

local function hover_text(result)
  if result == nil then
    return nil
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  elseif c.value then
    return c.value
  elseif vim.tbl_islist and vim.tbl_islist(c) or c[1] ~= nil then
    local parts = {}
    for _, p in ipairs(c) do
      table.insert(parts, type(p) == 'string' and p or p.value)
    end
    return table.concat(parts, '\n')
  end
  return vim.inspect(c)
end

local hover, herr = request('textDocument/hover', params)
if herr then
  report(false, 'hover: error ' .. herr)
else
  local text = hover_text(hover)
  report(text ~= nil and text ~= '', 'hover: ' .. (text and ('"' .. text:gsub('\n', '\\n'):sub(1, 400) .. '"') or 'null'))
end

local def, derr = request('textDocument/definition', params)
if derr then
  report(false, 'definition: error ' .. derr)
else
  local locs = def
  if locs ~= nil and (locs.uri or locs.targetUri) then
    locs = { locs }
  end
  if locs == nil or #locs == 0 then
    report(false, 'definition: no location')
  else
    local l = locs[1]
    local luri = l.uri or l.targetUri
    local range = l.range or l.targetSelectionRange or l.targetRange
    local fname = vim.uri_to_fname(luri)
    local decl_line = ''
    local ok_read, flines = pcall(vim.fn.readfile, fname)
    if ok_read and flines[range.start.line + 1] then
      decl_line = flines[range.start.line + 1]
    end
    report(decl_line:find(target, 1, true) ~= nil,
      string.format('definition: %s:%d:%d  %s', vim.fn.fnamemodify(fname, ':t'), range.start.line + 1, range.start.character + 1, vim.trim(decl_line)))
  end
end

local fmt, ferr = request('textDocument/formatting', {
  textDocument = { uri = uri },
  options = { tabSize = 2, insertSpaces = true },
})
if ferr then
  report(false, 'formatting: error ' .. ferr)
else
  local n = fmt and #fmt or 0
  local detail = ''
  if n > 0 then
    -- Apply to the buffer (never written) to see how much would change.
    local before = table.concat(lines, '\n')
    vim.lsp.util.apply_text_edits(fmt, bufnr, client.offset_encoding or 'utf-16')
    local after = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
    detail = before == after and ' (the text is unchanged)' or ' (the text changes)'
  end
  report(fmt ~= nil or n == 0, 'formatting: ' .. (fmt == nil and 'null' or (n .. ' edit(s)')) .. detail)
end

-- The other features, asked through the same client (Neovim 0.7 has no built-in UI for
-- semantic tokens or inlay hints, but its client carries any request).
local function count(method, p, what)
  local result, err = request(method, p)
  if err then
    report(false, method .. ': error ' .. err)
    return nil
  end
  local n = 0
  if type(result) == 'table' then
    if result.data then
      n = #result.data / 5
    elseif result.changes then
      for _, edits in pairs(result.changes) do
        n = n + #edits
      end
    elseif result.items then
      n = #result.items
    else
      n = #result
    end
  end
  report(n > 0, string.format('%s: %d %s', method, n, what))
  return result
end

local whole = { start = { line = 0, character = 0 }, ['end'] = { line = #lines, character = 0 } }
count('textDocument/references', vim.tbl_extend('force', params, { context = { includeDeclaration = true } }), 'references')
count('textDocument/documentSymbol', { textDocument = { uri = uri } }, 'symbols')
count('workspace/symbol', { query = 'passport' }, 'workspace symbols')
count('textDocument/semanticTokens/full', { textDocument = { uri = uri } }, 'semantic tokens')
count('textDocument/foldingRange', { textDocument = { uri = uri } }, 'folding ranges')
count('textDocument/inlayHint', { textDocument = { uri = uri }, range = whole }, 'inlay hints')
count('textDocument/completion', params, 'completion items')
count('textDocument/rename', vim.tbl_extend('force', params, { newName = 'visa_service_asked' }), 'rename edits')

-- Diagnostics follow an edit made in the buffer: misspell the rule's use, then undo it.
local edited_line = lines[pos.line + 1]
local col = pos.character
local misspelt = edited_line:sub(1, col) .. 'x' .. edited_line:sub(col + 1)
local function errors_now()
  local n = 0
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.severity == vim.diagnostic.severity.ERROR then
      n = n + 1
    end
  end
  return n
end
vim.api.nvim_buf_set_lines(bufnr, pos.line, pos.line + 1, false, { misspelt })
local appeared = vim.wait(timeout, function() return errors_now() > 0 end, 10)
report(appeared, 'diagnostics after an edit: ' .. errors_now() .. ' error(s)')
if appeared then
  local p2 = { textDocument = { uri = uri }, range = { start = pos, ['end'] = pos }, context = { diagnostics = {} } }
  local actions = request('textDocument/codeAction', p2) or {}
  local titles = {}
  for _, a in ipairs(actions) do
    table.insert(titles, a.title)
  end
  report(#actions > 0, 'code actions: ' .. table.concat(titles, '; '))
end
vim.api.nvim_buf_set_lines(bufnr, pos.line, pos.line + 1, false, { edited_line })
local cleared = vim.wait(timeout, function() return errors_now() == 0 end, 10)
report(cleared, 'diagnostics after the fix: ' .. errors_now() .. ' error(s)')

finish()
