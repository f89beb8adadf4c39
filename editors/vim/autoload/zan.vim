" Functions of the zan setup for Vim: the rulebook root of a buffer (where
" `zan lsp` is started) and ALE's fixer `zan_fmt`.

" The `zan` binary: g:zan_executable, else `zan` on PATH.
function! zan#Executable(buffer) abort
  return get(b:, 'zan_executable', get(g:, 'zan_executable', 'zan'))
endfunction

" Whether a file starts a line with the `rulebook` declaration.
function! s:DeclaresRulebook(file) abort
  for l:line in readfile(a:file, '', 2000)
    if l:line =~# '^rulebook\s'
      return 1
    endif
  endfor
  return 0
endfunction

" The root of a buffer: the nearest folder above its file holding a .zan file
" that declares a rulebook (the rulebook's folder); else the nearest folder with
" a .git; else the file's folder. One server runs per root.
function! zan#Root(buffer) abort
  let l:file = fnamemodify(bufname(a:buffer), ':p')
  let l:dir = fnamemodify(l:file, ':h')
  let l:home = fnamemodify(expand('~'), ':p:h')
  while l:dir isnot# '' && l:dir isnot# l:home
    for l:candidate in glob(l:dir . '/*.zan', 1, 1)
      if s:DeclaresRulebook(l:candidate)
        return l:dir
      endif
    endfor
    let l:parent = fnamemodify(l:dir, ':h')
    if l:parent is# l:dir
      break
    endif
    let l:dir = l:parent
  endwhile
  let l:git = finddir('.git', fnamemodify(l:file, ':h') . ';')
  if !empty(l:git)
    return fnamemodify(l:git, ':p:h:h')
  endif
  return fnamemodify(l:file, ':h')
endfunction

" ALE's fixer: the buffer through `zan fmt -`. A buffer with syntax errors is
" left as it is (zan prints nothing on stdout then).
function! zan#Fix(buffer) abort
  return {'command': ale#Escape(zan#Executable(a:buffer)) . ' fmt -'}
endfunction

function! zan#RegisterFixer() abort
  if get(g:, 'zan_fixer_registered', 0)
    return
  endif
  let g:zan_fixer_registered = 1
  call ale#fix#registry#Add('zan_fmt', 'zan#Fix', ['zan'],
        \ 'Format zan rulebooks with zan fmt')
endfunction
