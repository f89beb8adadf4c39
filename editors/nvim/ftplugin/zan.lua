-- Buffer settings for the zan rules language (filetype `zan`).
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

local opt = vim.opt_local
opt.commentstring = '// %s'
-- `///` doc comments and `//` comments: `gq` and auto-wrap keep the leader.
opt.comments = ':///,://'
opt.formatoptions:remove('t')
opt.formatoptions:append('croql')
-- The rulebooks indent nested lines by two spaces.
opt.expandtab = true
opt.shiftwidth = 2
opt.softtabstop = 2
opt.tabstop = 2
opt.autoindent = true
opt.smartindent = true
opt.suffixesadd:append('.zan')

vim.b.undo_ftplugin = (vim.b.undo_ftplugin and (vim.b.undo_ftplugin .. ' | ') or '')
  .. 'setlocal commentstring< comments< formatoptions< expandtab< shiftwidth< softtabstop< tabstop< autoindent< smartindent< suffixesadd<'
