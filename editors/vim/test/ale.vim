" The Vim setup (editors/vim) with Debian's ALE against the real server.
" Run from the repository root, headless (tests/editors.rs does):
"
"   ZAN_BIN=target/release/zan vim -Nu NONE -i NONE -n -es \
"     --cmd 'set rtp^=editors/vim' -S editors/vim/test/ale.vim
"
" Opens rulebooks/kz-visa/visas.zan, checks the filetype, syntax and settings,
" then ALE's linter `zan` (zan lsp): a diagnostic for an error typed, hover,
" go-to-definition in the same and another file; and the fixer `zan_fmt`.
" Writes one line per check to $ZAN_VIM_LOG (default: target/vim-ale.log), and
" "vim ale test: passed" at the end; exits 1 on the first failure.

let s:log = empty($ZAN_VIM_LOG) ? 'target/vim-ale.log' : $ZAN_VIM_LOG
call writefile([], s:log)

function! s:Say(text) abort
  call writefile([a:text], s:log, 'a')
endfunction

function! s:Check(name, ok, ...) abort
  if a:ok
    call s:Say('ok   ' . a:name)
  else
    call s:Say('FAIL ' . a:name . ': ' . (a:0 ? string(a:1) : ''))
    cquit!
  endif
endfunction

" Waits up to `seconds` for the expression to be true, letting jobs and timers run.
function! s:Wait(expr, seconds) abort
  let l:deadline = reltimefloat(reltime()) + a:seconds
  while !eval(a:expr) && reltimefloat(reltime()) < l:deadline
    sleep 50m
  endwhile
  return eval(a:expr)
endfunction

set hidden
filetype plugin indent on
syntax on
packadd ale
let g:zan_executable = empty($ZAN_BIN) ? 'zan' : $ZAN_BIN
let g:ale_linters = {'zan': ['zan']}
let g:ale_lint_delay = 0
let g:ale_hover_to_preview = 1
let g:ale_set_balloons = 0
let g:ale_echo_cursor = 0
let g:ale_virtualtext_cursor = 0

let s:root = fnamemodify('rulebooks/kz-visa', ':p:h')
execute 'edit ' . fnameescape(s:root . '/visas.zan')
let s:original = getline(1, '$')

" ------------------------------------------------------------- the setup
call s:Check('filetype zan', &filetype is# 'zan', &filetype)
call s:Check('settings', &shiftwidth == 2 && &expandtab && &commentstring is# '// %s',
      \ [&shiftwidth, &expandtab, &commentstring])
let s:at = searchpos('^rule visa_service_operation', 'w')
call s:Check('syntax: keyword', synIDattr(synID(s:at[0], 1, 1), 'name') is# 'zanDeclaration',
      \ synIDattr(synID(s:at[0], 1, 1), 'name'))
let s:at = searchpos('^/// Whether the request', 'w')
call s:Check('syntax: doc comment', synIDattr(synID(s:at[0], 1, 1), 'name') is# 'zanDocComment',
      \ synIDattr(synID(s:at[0], 1, 1), 'name'))
call s:Check('the rulebook folder is the root', zan#Root(bufnr('')) is# s:root, zan#Root(bufnr('')))
call s:Check('ALE has the linter', index(map(ale#linter#Get('zan'), 'v:val.name'), 'zan') >= 0,
      \ ale#linter#Get('zan'))
call s:Check('ALE uses the fixer', get(b:, 'ale_fixers', []) == ['zan_fmt'], get(b:, 'ale_fixers'))

" ------------------------------------------------------------- diagnostics
" An error typed: `application` becomes `xapplication`, an unknown name.
let s:line = search('^  application is present$', 'w')
call setline(s:line, '  xapplication is present')
ALELint
function! s:Errors() abort
  return filter(copy(ale#engine#GetLoclist(bufnr(''))), 'v:val.text =~# "xapplication"')
endfunction
call s:Wait('!empty(s:Errors())', 30)
let s:errors = s:Errors()
call s:Check('a diagnostic for the error typed',
      \ !empty(s:errors) && s:errors[0].lnum == s:line && s:errors[0].type is# 'E',
      \ ale#engine#GetLoclist(bufnr('')))
call s:Say('diagnostic: ' . s:errors[0].text)
call setline(s:line, '  application is present')
ALELint
call s:Check('the diagnostic goes when the error is undone', s:Wait('empty(s:Errors())', 30),
      \ s:Errors())

" ------------------------------------------------------------- hover
" On a use of the rule: its doc comment, in the preview window.
call cursor(search('when invitation is present and visa_service_operation', 'w'), 1)
call search('visa_service_operation', 'c', line('.'))
ALEHover
function! s:Preview() abort
  for l:win in range(1, winnr('$'))
    if getwinvar(l:win, '&previewwindow')
      return join(getbufline(winbufnr(l:win), 1, '$'), "\n")
    endif
  endfor
  return ''
endfunction
call s:Wait('s:Preview() =~# "Whether the request asks"', 30)
call s:Check('hover shows the rule''s doc comment', s:Preview() =~# 'Whether the request asks',
      \ s:Preview())
call s:Say('hover fences ' . (s:Preview() =~# '```' ? 'yes' : 'no'))
pclose

" ------------------------------------------------------------- definition
call cursor(search('when invitation is present and visa_service_operation', 'w'), 1)
call search('visa_service_operation', 'c', line('.'))
ALEGoToDefinition
call s:Check('definition in the same file', s:Wait('line(".") == 19', 30), [bufname(''), line('.')])
call cursor(search('VisaOperation.primary_issuance', 'w'), 1)
call search('VisaOperation', 'c', line('.'))
ALEGoToDefinition
call s:Check('definition in another file',
      \ s:Wait('expand("%:t") is# "visa-schema.zan" && line(".") == 51', 30),
      \ [bufname(''), line('.')])
call s:Check('the other file has the filetype', &filetype is# 'zan', &filetype)
buffer visas.zan

" ------------------------------------------------------------- fixer
" Lines indented wrongly; `:ALEFix` (zan fmt -) puts them back.
let s:line = search('^  when invitation is present and visa_service_operation', 'w')
call setline(s:line, '        when invitation is present and visa_service_operation')
call s:Check('the buffer was changed', getline(1, '$') != s:original)
ALEFix
call s:Check('the fixer formats the buffer', s:Wait('getline(1, "$") == s:original', 30),
      \ getline(s:line))

set nomodified
call s:Check('no error message', v:errmsg is# '', v:errmsg)
call s:Say('vim ale test: passed')
qall!
