-- Headless check of ftdetect/, ftplugin/ and syntax/ (no language server needed):
--
--   nvim --headless -u NONE --cmd 'set rtp+=editors/nvim' -c 'luafile editors/nvim/test/syntax.lua'
--
-- Prints one line per check and exits with status 1 if any check fails.

local failures = 0
local function out(line)
  io.stdout:write(line .. '\n')
end
local function check(ok, what)
  if not ok then
    failures = failures + 1
  end
  out((ok and 'ok   ' or 'FAIL ') .. what)
end

vim.cmd('filetype plugin on')
vim.cmd('syntax on')

local dir = vim.fn.tempname()
vim.fn.mkdir(dir, 'p')
local file = dir .. '/sample.zan'
local lines = {
  '/// A doc comment with `code`.',
  'output rule visa_fee: money',
  '  cites visa_guide "AMOUNT OF STATE DUTY"',
  '{',
  '  when as_of >= 2026-03-10 then 12 MCI',
  '  otherwise d + 3 working days in kazakhstan',
  '}',
  '// OPEN: an open point',
  '// continued here',
  '// TODO: still the open point (as for zan check)',
  '',
  '// TODO: a plain comment',
  'calendar kazakhstan {',
  '  holiday "New Year" every 01-01 carried over',
  '}',
  '// OPEN: directly above a declaration',
  'rule r: bool { true }',
}
vim.fn.writefile(lines, file)
vim.cmd('edit ' .. vim.fn.fnameescape(file))

check(vim.bo.filetype == 'zan', 'filetype is zan (got ' .. vim.bo.filetype .. ')')
check(vim.bo.commentstring == '// %s', 'commentstring is "// %s" (got ' .. vim.bo.commentstring .. ')')
check(vim.bo.shiftwidth == 2 and vim.bo.expandtab, 'shiftwidth=2 expandtab')
check(vim.b.current_syntax == 'zan', 'syntax/zan.vim is loaded')

-- The syntax group at (line, first column of `text` in that line), 1-based line.
local function group_at(lnum, text)
  local col = lines[lnum]:find(text, 1, true)
  if col == nil then
    return 'text not found: ' .. text
  end
  return vim.fn.synIDattr(vim.fn.synID(lnum, col, 1), 'name')
end

local expectations = {
  { 1, '///', 'zanDocComment' },
  { 1, '`code`', 'zanDocCode' },
  { 2, 'output', 'zanModifier' },
  { 2, 'rule', 'zanDeclaration' },
  { 2, 'visa_fee', 'zanDeclName' },
  { 2, 'money', 'zanBuiltinType' },
  { 3, 'cites', 'zanCites' },
  { 3, 'visa_guide', 'zanSourceRef' },
  { 3, '"AMOUNT', 'zanCitation' },
  { 5, 'when', 'zanConditional' },
  { 5, 'as_of', 'zanAsOf' },
  { 5, '2026-03-10', 'zanDate' },
  { 5, '12 MCI', 'zanMoney' },
  { 5, 'MCI', 'zanCurrency' },
  { 6, 'otherwise', 'zanConditional' },
  { 6, '3 working', 'zanDuration' },
  { 8, '// OPEN', 'zanOpenPoint' },
  { 8, 'OPEN:', 'zanOpenMarker' },
  { 9, 'continued', 'zanOpenPoint' },
  { 10, '// TODO', 'zanOpenPoint' },
  { 10, 'TODO', 'zanTodo' },
  { 12, '// TODO', 'zanComment' },
  { 12, 'TODO', 'zanTodo' },
  { 13, 'calendar', 'zanDeclaration' },
  { 13, 'kazakhstan', 'zanDeclName' },
  { 14, 'holiday', 'zanCalendarWord' },
  { 14, '"New Year"', 'zanString' },
  { 14, '01-01', 'zanMonthDay' },
  { 14, 'carried', 'zanCalendarWord' },
  { 16, 'OPEN:', 'zanOpenMarker' },
  { 17, 'rule', 'zanDeclaration' },
  { 17, 'true', 'zanBoolean' },
}
for _, e in ipairs(expectations) do
  local got = group_at(e[1], e[2])
  check(got == e[3], string.format('line %d %-12s -> %s (got %s)', e[1], e[2], e[3], got))
end

vim.fn.delete(dir, 'rf')
out(failures == 0 and 'syntax checks passed' or (failures .. ' syntax check(s) failed'))
vim.cmd(failures == 0 and 'qa!' or 'cquit 1')
