" Buffer settings for the zan rules language (filetype `zan`), and ALE's
" fixer `zan_fmt` (`zan fmt -`) for zan buffers.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=//\ %s
" `///` doc comments and `//` comments: `gq` and auto-wrap keep the leader.
setlocal comments=:///,://
setlocal formatoptions-=t formatoptions+=croql
" The rulebooks indent nested lines by two spaces.
setlocal expandtab shiftwidth=2 softtabstop=2 tabstop=2 autoindent smartindent
setlocal suffixesadd+=.zan

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< expandtab<'
      \ . ' shiftwidth< softtabstop< tabstop< autoindent< smartindent< suffixesadd<'

" With ALE: register the fixer once, and use it for this buffer unless the user
" chose the fixers of zan files (g:ale_fixers) or of this buffer.
if exists('g:loaded_ale') || !empty(globpath(&runtimepath, 'autoload/ale/fix/registry.vim'))
  call zan#RegisterFixer()
  if !exists('b:ale_fixers') && !has_key(get(g:, 'ale_fixers', {}), 'zan')
    let b:ale_fixers = ['zan_fmt']
    let b:undo_ftplugin .= ' | unlet! b:ale_fixers'
  endif
endif
