" zan rules language: *.zan files have the filetype `zan`.
autocmd BufRead,BufNewFile *.zan setfiletype zan
