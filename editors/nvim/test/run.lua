-- Headless test of running the law from Neovim against a real `zan lsp`:
--
--   ZAN_BIN=/path/to/zan nvim --headless -u NONE --cmd 'set rtp+=editors/nvim' \
--     -c 'luafile editors/nvim/test/run.lua'
--
-- Opens rulebooks/kz-visa/tests-stay.zan, waits for the code lenses, runs the file's tests
-- through the "▶ Run all" lens (vim.lsp.codelens.run on line 1, the command handled by the zan
-- client), makes one expectation wrong in the unsaved buffer and runs that test (:ZanRunTests
-- NAME): its failure must come back as an error diagnostic on the `expect` line. Then decides an
-- example (:ZanEvaluate) and shows a derivation (:ZanExplain) in scratch buffers. Prints
-- "run test: passed" and exits 0 when all of it worked. Works on Neovim 0.7 and later.

local failed = false
local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end
local function report(ok, what)
  failed = failed or not ok
  out((ok and 'ok   ' or 'FAIL ') .. what)
end
local function finish()
  out(failed and 'run test: FAILED' or 'run test: passed')
  vim.cmd(failed and 'cquit 1' or 'qa!')
end

local script_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local repo = os.getenv('ZAN_REPO') or vim.fn.fnamemodify(script_dir, ':h:h:h')
local bin = os.getenv('ZAN_BIN') or 'zan'
local file = repo .. '/rulebooks/kz-visa/tests-stay.zan'
local timeout = 60000

vim.cmd('filetype plugin on')
local zan = require('zan')
zan.setup({ cmd = { bin, 'lsp' } })
-- vim.notify goes to the test's output.
vim.notify = function(msg)
  out('notify: ' .. tostring(msg))
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local attached = vim.wait(timeout, function()
  local cs = zan.clients()
  return #cs > 0 and cs[1].initialized == true
end, 50)
report(attached, 'client attached')
if not attached then
  return finish()
end

-- The lenses of the file.
local lenses = {}
vim.wait(timeout, function()
  vim.lsp.codelens.refresh()
  vim.wait(300)
  lenses = vim.lsp.codelens.get(bufnr)
  return #lenses > 0
end, 100)
report(#lenses > 0, 'code lenses: ' .. #lenses)
local first = lenses[1]
for _, l in ipairs(lenses) do
  if l.range.start.line < first.range.start.line then
    first = l
  end
end
report(first ~= nil and first.command.title:find('Run all', 1, true) ~= nil, 'first lens: ' .. (first and first.command.title or 'none'))

-- The "Run all" lens, run as a user runs it.
zan.last_run = nil
vim.api.nvim_win_set_cursor(0, { first.range.start.line + 1, 0 })
vim.lsp.codelens.run()
vim.wait(timeout, function()
  return zan.last_run ~= nil
end, 50)
local run = zan.last_run
report(run ~= nil and run.failed == 0 and run.passed > 100, 'the file\'s tests: ' .. (run and (run.passed .. ' passed, ' .. run.failed .. ' failed') or 'no answer'))

-- One expectation made wrong in the unsaved buffer.
local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
local wrong_line
for i, l in ipairs(lines) do
  if l:find('expect permitted_stay_ends_on = 2026-06-02', 1, true) then
    wrong_line = i
    break
  end
end
vim.api.nvim_buf_set_lines(bufnr, wrong_line - 1, wrong_line, false, { '  expect permitted_stay_ends_on = 2026-06-03' })
zan.last_run = nil
vim.cmd('ZanRunTests neighbour_regime_azerbaijan')
vim.wait(timeout, function()
  return zan.last_run ~= nil
end, 50)
run = zan.last_run
report(run ~= nil and run.failed == 1, 'the changed test fails: ' .. (run and run.failed or 'no answer'))
local found = vim.wait(timeout, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.lnum == wrong_line - 1 and d.message:find('is 2026-06-02 (Tue), expected 2026-06-03 (Wed)', 1, true) then
      return true
    end
  end
  return false
end, 50)
report(found, 'the failure is a diagnostic on line ' .. wrong_line)

-- A decision and a derivation, each in a scratch buffer.
zan.last_shown = nil
vim.cmd('ZanEvaluate german_tourist')
vim.wait(timeout, function()
  return zan.last_shown ~= nil
end, 50)
local text = zan.last_shown and table.concat(vim.api.nvim_buf_get_lines(zan.last_shown, 0, -1, false), '\n') or ''
report(text:find('as of', 1, true) ~= nil and not vim.bo[zan.last_shown or 0].modifiable, 'the decision of german_tourist in a read-only scratch buffer')
zan.last_shown = nil
vim.cmd('ZanExplain test neighbour_regime_armenia')
vim.wait(timeout, function()
  return zan.last_shown ~= nil
end, 50)
text = zan.last_shown and table.concat(vim.api.nvim_buf_get_lines(zan.last_shown, 0, -1, false), '\n') or ''
report(#text > 200, 'the derivation of a test: ' .. #text .. ' characters')
out(text:sub(1, 300))
finish()
