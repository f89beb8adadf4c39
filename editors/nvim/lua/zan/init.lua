-- zan language server client for Neovim 0.7 and later.
--
--   require('zan').setup({
--     cmd = { 'zan', 'lsp' },     -- how to start the server (stdio)
--     format_on_save = false,     -- format with the server before :write
--     format_keymap = nil,        -- e.g. '<leader>zf': format the buffer
--     keymaps = true,             -- buffer-local K (hover), gd (definition), gr (references, < 0.11)
--     on_attach = nil,            -- function(client, bufnr) called when the client attaches
--     capabilities = nil,         -- client capabilities (e.g. from cmp_nvim_lsp)
--     settings = nil,             -- workspace/configuration settings for the server
--     root_markers = { '.git' },  -- fallback root markers when no rulebook file is found
--     codelens = true,            -- show the "▶ Run test" / "▶ Evaluate" lenses (refreshed on
--                                 -- open, save and leaving insert mode)
--     codelens_keymap = nil,      -- e.g. '<leader>zr': run the lens of the cursor's line
--   })
--
-- Running the law: the lenses' commands (`zan.runTests`, `zan.evaluate`) are handled here, so a
-- lens runs, shows its results and (for "Evaluate on example…") asks which example with
-- vim.ui.select. A failing `expect` becomes an error diagnostic; an evaluation or a derivation
-- opens in a read-only scratch buffer. Commands: :ZanRunTests [NAME] (the buffer's tests, or
-- one), :ZanEvaluate [EXAMPLE] (asks when not given), :ZanExplain example|test NAME.
--
-- Neovim >= 0.11 uses vim.lsp.config()/vim.lsp.enable(); 0.8-0.10 vim.lsp.start() from a
-- FileType autocommand; 0.7 vim.lsp.start_client() + vim.lsp.buf_attach_client().
--
-- The root of a buffer is the nearest folder (upwards) holding a .zan file with a `rulebook`
-- declaration, else the nearest folder with one of root_markers (.git), else the file's folder.

local M = {}

local NAME = 'zan'

local defaults = {
  cmd = { 'zan', 'lsp' },
  filetypes = { 'zan' },
  root_markers = { '.git' },
  format_on_save = false,
  format_keymap = nil,
  keymaps = true,
  format_timeout_ms = 2000,
  on_attach = nil,
  capabilities = nil,
  settings = nil,
  init_options = nil,
  codelens = true,
  codelens_keymap = nil,
}

M.config = vim.deepcopy(defaults)

local has = function(feature)
  return vim.fn.has(feature) == 1
end

--- Which API this Neovim offers: 'config' (>= 0.11), 'start' (>= 0.8) or 'start_client' (0.7).
function M.api_level()
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil and has('nvim-0.11') then
    return 'config'
  elseif vim.lsp.start ~= nil and has('nvim-0.8') then
    return 'start'
  end
  return 'start_client'
end

local function notify(msg, level)
  vim.schedule(function()
    vim.notify('[zan] ' .. msg, level or vim.log.levels.INFO)
  end)
end

local uv = vim.loop or vim.uv

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == 'directory'
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ':h')
end

--- Whether a file holds a top-level `rulebook` declaration (at the start of a line).
local function declares_rulebook(file)
  local fd = io.open(file, 'r')
  if fd == nil then
    return false
  end
  local text = fd:read('*a') or ''
  fd:close()
  return text:find('^rulebook%s') ~= nil or text:find('\nrulebook%s') ~= nil
end

--- Whether a folder holds a .zan file declaring a rulebook.
local function is_rulebook_dir(dir)
  local handle = uv.fs_scandir(dir)
  if handle == nil then
    return false
  end
  local checked = 0
  while true do
    local name, kind = uv.fs_scandir_next(handle)
    if name == nil then
      break
    end
    if (kind == 'file' or kind == 'link') and name:sub(-4) == '.zan' then
      checked = checked + 1
      if declares_rulebook(dir .. '/' .. name) then
        return true
      end
      if checked >= 500 then
        break
      end
    end
  end
  return false
end

--- The folders from `start` up to the filesystem root.
local function ancestors(start)
  local dirs = {}
  local dir = start
  while dir ~= nil and dir ~= '' do
    table.insert(dirs, dir)
    local parent = dirname(dir)
    if parent == dir then
      break
    end
    dir = parent
  end
  return dirs
end

--- The root folder for a file (see the header of this file).
function M.find_root(path)
  if path == nil or path == '' then
    return vim.fn.getcwd()
  end
  path = vim.fn.fnamemodify(path, ':p')
  local start = is_dir(path) and path or dirname(path)
  start = start:gsub('/$', '')
  if start == '' then
    start = '/'
  end
  local home = (uv.os_homedir() or ''):gsub('/$', '')
  local dirs = ancestors(start)
  for _, dir in ipairs(dirs) do
    if dir == home then
      break -- do not scan the home folder (or above) for rulebooks
    end
    if is_rulebook_dir(dir) then
      return dir
    end
  end
  for _, dir in ipairs(dirs) do
    for _, marker in ipairs(M.config.root_markers or {}) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
  end
  return start
end

local function buf_root(bufnr)
  return M.find_root(vim.api.nvim_buf_get_name(bufnr))
end

--- Formats a buffer with the zan server (synchronously).
function M.format(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.lsp.buf.format ~= nil then
    vim.lsp.buf.format({ bufnr = bufnr, name = NAME, timeout_ms = M.config.format_timeout_ms })
  else
    -- Neovim 0.7: formats the current buffer.
    vim.api.nvim_buf_call(bufnr, function()
      vim.lsp.buf.formatting_sync(nil, M.config.format_timeout_ms)
    end)
  end
end

local format_group

local function on_attach(client, bufnr)
  local cfg = M.config
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = bufnr, silent = true, desc = desc })
  end
  if cfg.keymaps then
    map('K', vim.lsp.buf.hover, 'zan: hover')
    map('gd', vim.lsp.buf.definition, 'zan: go to definition')
    if not has('nvim-0.11') then
      -- 0.11 has grr (references), grn (rename), gra (code action) by default; a buffer-local
      -- `gr` would make those wait for 'timeoutlen'.
      map('gr', vim.lsp.buf.references, 'zan: references')
    end
  end
  if cfg.format_keymap then
    map(cfg.format_keymap, function()
      M.format(bufnr)
    end, 'zan: format buffer')
  end
  if cfg.format_on_save then
    vim.api.nvim_clear_autocmds({ group = format_group, buffer = bufnr })
    vim.api.nvim_create_autocmd('BufWritePre', {
      group = format_group,
      buffer = bufnr,
      desc = 'zan: format on save',
      callback = function()
        M.format(bufnr)
      end,
    })
  end
  if cfg.codelens and vim.lsp.codelens ~= nil then
    vim.lsp.codelens.refresh()
    vim.api.nvim_create_autocmd({ 'BufEnter', 'BufWritePost', 'InsertLeave' }, {
      group = vim.api.nvim_create_augroup('zan_codelens_' .. bufnr, { clear = true }),
      buffer = bufnr,
      desc = 'zan: refresh the code lenses',
      callback = function()
        vim.lsp.codelens.refresh()
      end,
    })
  end
  if cfg.codelens_keymap then
    map(cfg.codelens_keymap, vim.lsp.codelens.run, 'zan: run the lens of this line')
  end
  if cfg.on_attach then
    cfg.on_attach(client, bufnr)
  end
end

-- ---------------------------------------------------------------- running the law

--- The zan client of a buffer.
local function client_of(bufnr)
  for _, c in ipairs(M.clients()) do
    if vim.lsp.buf_is_attached == nil or vim.lsp.buf_is_attached(bufnr, c.id) then
      return c
    end
  end
  return nil
end

--- Shows `text` in a read-only scratch buffer named `title`, in a split; returns the buffer.
function M.show(title, text)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, '\n', { plain = true }))
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, 'zan://' .. title .. ' [' .. buf .. ']')
  vim.cmd('botright split')
  vim.api.nvim_win_set_buf(0, buf)
  M.last_shown = buf
  return buf
end

--- Runs a server command with one argument object; `on_result(result)` on success.
function M.execute(bufnr, command, argument, on_result)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_of(bufnr)
  if client == nil and M.last_buffer ~= nil and vim.api.nvim_buf_is_valid(M.last_buffer) then
    -- From a scratch buffer of results: the rulebook buffer the last command ran in.
    bufnr = M.last_buffer
    client = client_of(bufnr)
  end
  if client == nil then
    notify('no zan language server for this buffer', vim.log.levels.WARN)
    return
  end
  M.last_buffer = bufnr
  argument.uri = argument.uri or vim.uri_from_bufnr(bufnr)
  client.request('workspace/executeCommand', { command = command, arguments = { argument } }, function(err, result)
    if err then
      notify(command .. ': ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result)
    end
  end, bufnr)
end

--- Runs the tests of a buffer (or the one named); says how many passed. The failing `expect`s
--- come back as diagnostics.
function M.run_tests(bufnr, test, on_done)
  M.execute(bufnr, 'zan.runTests', { test = test }, function(result)
    local failed = {}
    for _, t in ipairs(result.tests or {}) do
      if not t.passed then
        table.insert(failed, t.name)
      end
    end
    local msg = string.format('%d passed, %d failed', result.passed or 0, result.failed or 0)
    if #failed > 0 then
      msg = msg .. ': ' .. table.concat(failed, ', ')
    end
    notify(msg, #failed > 0 and vim.log.levels.WARN or vim.log.levels.INFO)
    M.last_run = result
    if on_done then
      on_done(result)
    end
  end)
end

--- Decides an example (asking which one when none is given), on `rules` or every output, and
--- shows the decision in a scratch buffer.
function M.evaluate(bufnr, example, rules, on_done)
  local argument = { example = example, rules = rules or {} }
  M.execute(bufnr, 'zan.evaluate', argument, function(result)
    if result.pick ~= nil then
      vim.ui.select(result.pick, { prompt = 'Evaluate on example:' }, function(choice)
        if choice ~= nil then
          M.evaluate(bufnr, choice, rules, on_done)
        end
      end)
      return
    end
    local buf = M.show('evaluate ' .. result.example, result.text or '')
    if on_done then
      on_done(result, buf)
    end
  end)
end

--- Shows the derivation (`zan eval --explain`) of an example or a test's case.
function M.explain(bufnr, what, name, on_done)
  local argument = {}
  argument[what] = name
  M.execute(bufnr, 'zan.explain', argument, function(result)
    local buf = M.show(result.title or ('explain ' .. name), result.text or '')
    if on_done then
      on_done(result, buf)
    end
  end)
end

-- The lenses' commands, run here instead of blindly on the server, to show their results.
local function lens_argument(command)
  return (command.arguments or {})[1] or {}
end

local function register_commands()
  vim.lsp.commands['zan.runTests'] = function(command, ctx)
    local a = lens_argument(command)
    M.run_tests(ctx.bufnr, a.test ~= vim.NIL and a.test or nil)
  end
  vim.lsp.commands['zan.evaluate'] = function(command, ctx)
    local a = lens_argument(command)
    M.evaluate(ctx.bufnr, a.example ~= vim.NIL and a.example or nil, a.rules)
  end
end

local warned_missing = false

local function executable_ok()
  local exe = M.config.cmd[1]
  if vim.fn.executable(exe) == 1 then
    return true
  end
  if not warned_missing then
    warned_missing = true
    notify(
      string.format(
        'cannot start the language server: "%s" is not executable (install zan or pass cmd = { "/path/to/zan", "lsp" } to setup())',
        exe
      ),
      vim.log.levels.WARN
    )
  end
  return false
end

local function client_config(root)
  local cfg = M.config
  return {
    name = NAME,
    cmd = cfg.cmd,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    capabilities = cfg.capabilities or vim.lsp.protocol.make_client_capabilities(),
    settings = cfg.settings,
    init_options = cfg.init_options,
    on_attach = on_attach,
  }
end

-- ---------------------------------------------------------------- Neovim 0.7
local clients_by_root = {} -- root -> client id

local function attach_07(bufnr)
  local root = buf_root(bufnr)
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if client == nil or client.is_stopped() then
    if not executable_ok() then
      return
    end
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      notify('vim.lsp.start_client() failed for ' .. root, vim.log.levels.ERROR)
      return
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

-- ---------------------------------------------------------------- Neovim 0.8 - 0.10
local function attach_08(bufnr)
  if not executable_ok() then
    return
  end
  vim.lsp.start(client_config(buf_root(bufnr)), { bufnr = bufnr })
end

local function is_zan_buffer(bufnr)
  return vim.api.nvim_buf_is_loaded(bufnr)
    and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype)
    and vim.bo[bufnr].buftype == ''
end

--- Sets up the client. Call once, e.g. from init.lua: require('zan').setup().
function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  if type(M.config.cmd) == 'string' then
    M.config.cmd = { M.config.cmd, 'lsp' }
  end

  -- Filetype detection without ftdetect/ on 'runtimepath' (e.g. only lua/ copied).
  if vim.filetype ~= nil and vim.filetype.add ~= nil then
    vim.filetype.add({ extension = { zan = 'zan' } })
  end

  format_group = vim.api.nvim_create_augroup('zan_format', { clear = true })
  local group = vim.api.nvim_create_augroup('zan_lsp', { clear = true })
  local level = M.api_level()

  if level == 'config' then
    vim.lsp.config(NAME, {
      cmd = M.config.cmd,
      filetypes = M.config.filetypes,
      root_dir = function(bufnr, on_dir)
        if executable_ok() then
          on_dir(buf_root(bufnr))
        end
      end,
      capabilities = M.config.capabilities,
      settings = M.config.settings,
      init_options = M.config.init_options,
      on_attach = on_attach,
    })
    vim.lsp.enable(NAME)
  else
    local attach = level == 'start' and attach_08 or attach_07
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = M.config.filetypes,
      desc = 'zan: start or attach the language server',
      callback = function(args)
        if vim.bo[args.buf].buftype == '' then
          attach(args.buf)
        end
      end,
    })
    -- Buffers opened before setup() ran.
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if is_zan_buffer(bufnr) then
        attach(bufnr)
      end
    end
  end

  register_commands()
  vim.api.nvim_create_user_command('ZanRunTests', function(c)
    M.run_tests(0, c.args ~= '' and c.args or nil)
  end, { nargs = '?', desc = 'zan: run the tests of the buffer (or the one named)' })
  vim.api.nvim_create_user_command('ZanEvaluate', function(c)
    M.evaluate(0, c.args ~= '' and c.args or nil, {})
  end, { nargs = '?', desc = 'zan: decide an example and show the decision' })
  vim.api.nvim_create_user_command('ZanExplain', function(c)
    local what, name = c.args:match('^(%w+)%s+(%S+)$')
    if what ~= 'example' and what ~= 'test' then
      notify('usage: :ZanExplain example|test NAME', vim.log.levels.WARN)
      return
    end
    M.explain(0, what, name)
  end, { nargs = '+', desc = 'zan: show the derivation of an example or a test' })
  vim.api.nvim_create_user_command('ZanFormat', function()
    M.format(0)
  end, { desc = 'zan: format the buffer with the language server' })
  vim.api.nvim_create_user_command('ZanRestart', function()
    M.restart()
  end, { desc = 'zan: restart the language server' })
  vim.api.nvim_create_user_command('ZanInfo', function()
    M.info()
  end, { desc = 'zan: show the language server client state' })
  return M
end

--- The zan clients running now.
function M.clients()
  local all
  if vim.lsp.get_clients ~= nil then
    all = vim.lsp.get_clients({ name = NAME })
  else
    all = vim.tbl_filter(function(c)
      return c.name == NAME
    end, vim.lsp.get_active_clients())
  end
  return all
end

--- Stops the zan clients and attaches the zan buffers again (a fresh server).
function M.restart()
  for _, client in ipairs(M.clients()) do
    vim.lsp.stop_client(client.id)
  end
  clients_by_root = {}
  vim.defer_fn(function()
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if is_zan_buffer(bufnr) then
        local level = M.api_level()
        if level == 'config' then
          -- re-trigger vim.lsp.enable()'s FileType handling
          vim.api.nvim_exec_autocmds('FileType', { buffer = bufnr })
        elseif level == 'start' then
          attach_08(bufnr)
        else
          attach_07(bufnr)
        end
      end
    end
  end, 500)
end

function M.info()
  local lines = { 'zan: API ' .. M.api_level() .. ', cmd ' .. table.concat(M.config.cmd, ' ') }
  for _, client in ipairs(M.clients()) do
    table.insert(lines, string.format('  client %d root %s', client.id, tostring(client.config.root_dir)))
  end
  if #lines == 1 then
    table.insert(lines, '  no client running')
  end
  vim.notify(table.concat(lines, '\n'))
end

return M
