" ALE linter for the zan rules language: the language server `zan lsp`
" (diagnostics as you type, and ALE's hover, go-to-definition, references,
" completion, rename and code actions). Set g:zan_executable to the `zan` binary
" when it is not on PATH.
call ale#linter#Define('zan', {
\   'name': 'zan',
\   'lsp': 'stdio',
\   'executable': function('zan#Executable'),
\   'command': '%e lsp',
\   'project_root': function('zan#Root'),
\})
