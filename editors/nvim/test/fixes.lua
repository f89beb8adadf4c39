-- Headless test of the editor fixes of issue 20 in Neovim, against a real `zan lsp`:
--
--   ZAN_BIN=/path/to/zan nvim --headless -u NONE --cmd 'set rtp+=editors/nvim' \
--     -c 'luafile editors/nvim/test/fixes.lua'
--
-- Run from the repository root (or set ZAN_REPO). On rulebooks/kz-visa it renames the record
-- field `departed_on` from a test's `set stay.departed_on = …` and sees every `set` path of the
-- buffer change (the edit is applied to the buffers, never written); asks for a hover through
-- the client set up by `require('zan')` (markdown) and through a second client that declares
-- it reads plain text only; and asks for completion after `expect pr_entry_basis =`, which must
-- offer that output's enum values. Prints one line per check, then "fixes test: passed" (exit
-- status 0) or "fixes test: FAILED" (1). Works on Neovim 0.7 and later.

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
end
local function finish()
  out(failed and 'fixes test: FAILED' or 'fixes test: passed')
  vim.cmd(failed and 'cquit 1' or 'qa!')
end

local script_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local repo = os.getenv('ZAN_REPO') or vim.fn.fnamemodify(script_dir, ':h:h:h')
local bin = os.getenv('ZAN_BIN') or 'zan'
local book = repo .. '/rulebooks/kz-visa'
local timeout = tonumber(os.getenv('ZAN_SMOKE_TIMEOUT_MS') or '30000')

vim.cmd('filetype plugin on')
require('zan').setup({ cmd = { bin, 'lsp' } })

local function open(name)
  vim.cmd('edit ' .. vim.fn.fnameescape(book .. '/' .. name))
  return vim.api.nvim_get_current_buf()
end

local function zan_client(bufnr)
  local ok = vim.wait(timeout, function()
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == 'zan' and c.initialized then
        return true
      end
    end
    return false
  end, 50)
  if not ok then
    return nil
  end
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'zan' then
      return c
    end
  end
end

--- The position (0-based line, UTF-16 column) of `needle` in the buffer, plus `shift`.
local function find(bufnr, needle, shift)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = i - 1, character = col - 1 + (shift or 0) }
    end
  end
end

local function request(client, bufnr, method, params)
  local r = client.request_sync(method, params, timeout, bufnr)
  if r == nil then
    return nil, 'no answer'
  end
  if r.err then
    return nil, vim.inspect(r.err)
  end
  return r.result, nil
end

local function count(bufnr, needle)
  local n = 0
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:find(needle, 1, true) then
      n = n + 1
    end
  end
  return n
end

-- 1. Rename a field from a `set` path: the `set` paths change with it.
local stay = open('tests-stay.zan')
local client = zan_client(stay)
report(client ~= nil, 'client attached')
if client == nil then
  finish()
  return
end
local uri = vim.uri_from_bufnr(stay)
local sets = count(stay, 'set stay.departed_on')
local pos = find(stay, 'set stay.departed_on', 10)
report(pos ~= nil and sets > 0, 'the file sets stay.departed_on ' .. sets .. ' times')
local edit, err = request(client, stay, 'textDocument/rename',
  { textDocument = { uri = uri }, position = pos, newName = 'left_on' })
if err or edit == nil then
  report(false, 'rename: ' .. tostring(err))
else
  vim.lsp.util.apply_workspace_edit(edit, 'utf-16')
  local files = 0
  for _ in pairs(edit.changes or {}) do
    files = files + 1
  end
  report(count(stay, 'set stay.left_on') == sets and count(stay, 'departed_on') == 0,
    'rename: ' .. count(stay, 'set stay.left_on') .. ' `set stay.left_on` lines, edits in ' .. files .. ' files')
end

-- 2. Hover in markdown (the client set up by require('zan')) and in plain text (a client that
-- declares it reads only plain text).
local money = open('money.zan')
local mpos = find(money, 'parameter mci', 11)
local hover_params = { textDocument = { uri = vim.uri_from_bufnr(money) }, position = mpos }
local mclient = zan_client(money)
local md = mclient and request(mclient, money, 'textDocument/hover', hover_params)
local md_text = md and md.contents and md.contents.value or ''
report(md ~= nil and md.contents.kind == 'markdown' and md_text:find('```', 1, true) ~= nil,
  'hover in markdown: ' .. (md and md.contents.kind or 'none'))

local caps = vim.lsp.protocol.make_client_capabilities()
caps.textDocument.hover.contentFormat = { 'plaintext' }
local plain_id = vim.lsp.start_client({
  name = 'zan-plain',
  cmd = { bin, 'lsp' },
  root_dir = book,
  capabilities = caps,
})
vim.lsp.buf_attach_client(money, plain_id)
local plain_client = vim.lsp.get_client_by_id(plain_id)
vim.wait(timeout, function()
  return plain_client ~= nil and plain_client.initialized == true
end, 50)
local plain = plain_client and request(plain_client, money, 'textDocument/hover', hover_params)
local plain_text = plain and plain.contents and plain.contents.value or ''
report(plain ~= nil and plain.contents.kind == 'plaintext' and plain_text:find('```', 1, true) == nil
  and plain_text:find('|---', 1, true) == nil and plain_text:find('parameter mci: money', 1, true) == 1,
  'hover in plain text: ' .. (plain and plain.contents.kind or 'none') .. ' "' .. plain_text:gsub('\n', '\\n'):sub(1, 120) .. '"')

-- 3. Completion after `expect pr_entry_basis =`: the output's enum values.
local docs = open('tests-residence-tax-documents.zan')
local dclient = zan_client(docs)
local cpos = find(docs, 'expect pr_entry_basis = ', 24)
local items = dclient and request(dclient, docs, 'textDocument/completion',
  { textDocument = { uri = vim.uri_from_bufnr(docs) }, position = cpos })
local labels = {}
for _, item in ipairs(items and (items.items or items) or {}) do
  labels[item.label] = true
end
local n = vim.tbl_count(labels)
report(labels['b8_visa'] and labels['not_applicable'] and not labels['applicant'] and n < 20,
  'completion after `expect pr_entry_basis =`: ' .. n .. ' items')

finish()
