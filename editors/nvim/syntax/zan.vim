" Vim syntax file for the zan rules language (*.zan).
" A regex highlighter for use without (or before) the language server; it follows
" grammar/zan.pest and editors/vscode/syntaxes/zan.tmLanguage.json.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn sync minlines=40

" ------------------------------------------------------------------ words
syn keyword zanDeclaration rulebook source enum record fact parameter table calendar rule
      \ exception reasons amendment example test nextgroup=zanDeclName skipwhite
syn keyword zanDeclaration reason nextgroup=zanReasonCode skipwhite
syn keyword zanModifier output
syn keyword zanProvision add replace repeal
syn keyword zanConditional when then otherwise if else match
syn keyword zanOperatorWord and or not in is present
syn keyword zanQuantifier any all count sum where of
" `map`, `filter`, `min`, `max` begin a list form only before a name and `in`.
syn match zanQuantifier "\<\%(map\|filter\|min\|max\)\>\ze\s\+\k\+\s\+in\>"
syn keyword zanClause as from until force to given set expect fails
syn keyword zanCites cites checks nextgroup=zanSourceRef skipwhite
syn keyword zanBoolean true false
syn keyword zanAbsent absent
syn keyword zanBuiltinType bool integer decimal money duration text list
syn keyword zanWeekday monday tuesday wednesday thursday friday saturday sunday
syn keyword zanCalendarWord weekend holiday every
" A table's hit policy and the words of band patterns (context words, not reserved).
syn match zanTableWord "\<hit\s\+\(first\|most\s\+specific\|unique\)\>"
syn match zanTableWord "\<\(more\s\+than\|less\s\+than\|at\s\+least\|up\s\+to\)\>"
syn keyword zanAsOf as_of

syn match zanDeclName contained "\k\+"
syn match zanReasonCode contained "\k\+"
syn match zanSourceRef contained "\k\+" nextgroup=zanCitation skipwhite
syn region zanCitation contained start=+"+ skip=+\\.+ end=+"+ contains=zanEscape

" `date` and `period` are types, `date(...)` and `period(...)` functions.
syn match zanBuiltinType "\<\%(date\|period\)\>\%(\s*(\)\@!"
syn match zanBuiltinFunction "\<\%(age\|days_between\|period\|start\|end\|days\|days_present\|max_days_in_any_window\|year\|month\|day\|weekday\|start_of_month\|end_of_month\|date\|count\|is_empty\|min\|max\|round\|value_or\|is_working_day\|working_days_between\)\ze\s*("
syn match zanCalendarWord "\<\%(carried\s\+over\|day\s\+off\|instead\s\+of\|working\s\+day\)\>"
syn match zanCalendarWord "\<on\>\ze\s\+\d\{4}-"
syn match zanTypeName "\<\u\k*\>"
syn match zanWildcard "\<_\>"

" ------------------------------------------------------------------ literals
syn match zanNumber "\<\d\+\%(\.\d\+\)\=\>"
syn match zanDuration "\<\d\+ \+\%(days\=\|weeks\=\|months\=\|years\=\)\>"
syn match zanDuration "\<\d\+ \+working \+days\=\%( \+in \+\k\+\)\=" contains=zanDurationIn
syn match zanDurationIn contained "\<in\>"
syn match zanMoney "\<\d\+\%(\.\d\+\)\= \+\u\{3}\>" contains=zanCurrency
syn match zanCurrency contained "\<\u\{3}\>"
syn match zanMonthDay "\<\d\d-\d\d\>"
syn match zanDate "\<\d\{4}-\d\d-\d\d\>"
syn region zanString start=+"+ skip=+\\.+ end=+"+ contains=zanEscape,@Spell
syn match zanEscape contained +\\.+

" ------------------------------------------------------------------ operators
syn match zanOperator "==\|!=\|<=\|>=\|=>\|->\|[<>=+*?-]"
syn match zanOperator "/\%(/\)\@!"

" ------------------------------------------------------------------ comments
" (defined last: at the same column the item defined last wins)
syn keyword zanTodo contained TODO FIXME XXX NOTE CONFLICT
syn match zanComment "//.*$" contains=zanTodo,@Spell
syn match zanDocComment "///.*$" contains=zanDocCode,@Spell
syn match zanDocCode contained "`[^`]*`"
" `// OPEN: ...` runs on over the `//` comment lines right below it (not `///`).
" The region ends at the start of the first line that is not such a comment line.
syn region zanOpenPoint start="// OPEN:" end="^\%(\s*//\%(/\)\@!\)\@!" contains=zanOpenMarker,zanTodo,@Spell
syn match zanOpenMarker contained "\<OPEN:"

" ------------------------------------------------------------------ links
hi def link zanDeclaration Structure
hi def link zanModifier StorageClass
hi def link zanProvision PreProc
hi def link zanConditional Conditional
hi def link zanOperatorWord Operator
hi def link zanQuantifier Repeat
hi def link zanClause Keyword
hi def link zanCites Keyword
hi def link zanCalendarWord Keyword
hi def link zanTableWord Keyword
hi def link zanBoolean Boolean
hi def link zanAbsent Constant
hi def link zanWeekday Constant
hi def link zanBuiltinType Type
hi def link zanTypeName Type
hi def link zanBuiltinFunction Function
hi def link zanAsOf Special
hi def link zanWildcard Special
hi def link zanDeclName Function
hi def link zanReasonCode Constant
hi def link zanSourceRef Identifier
hi def link zanCitation String
hi def link zanString String
hi def link zanEscape SpecialChar
hi def link zanNumber Number
hi def link zanDuration Number
hi def link zanDurationIn Number
hi def link zanMoney Number
hi def link zanCurrency Special
hi def link zanDate Number
hi def link zanMonthDay Number
hi def link zanOperator Operator
hi def link zanComment Comment
hi def link zanDocComment SpecialComment
hi def link zanDocCode Special
hi def link zanOpenPoint Comment
hi def link zanOpenMarker Todo
hi def link zanTodo Todo

let b:current_syntax = 'zan'
let &cpo = s:cpo_save
unlet s:cpo_save
