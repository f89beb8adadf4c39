" zan rules language: *.zan files have the filetype `zan`.
" (A Vim script file, so that both Neovim 0.7 and later load it from 'runtimepath'.)
autocmd BufRead,BufNewFile *.zan setfiletype zan
