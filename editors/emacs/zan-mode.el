;;; zan-mode.el --- Major mode for the zan rules language -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages
;; URL: https://github.com/zan-lang/zan

;;; Commentary:

;; A major mode for `.zan' rulebooks: highlighting of the keywords of
;; grammar/zan.pest, `//' comments and `///' doc comments, strings, dates,
;; amounts and durations; indentation by two spaces per bracket level; `zan fmt'
;; on demand (`zan-format', C-c C-f); and the language server `zan lsp' for
;; eglot (diagnostics, hover, definition, completion, rename, formatting, ...).
;;
;; Setup (see editors/README.md):
;;
;;   (add-to-list 'load-path "/path/to/zan/editors/emacs")
;;   (require 'zan-mode)
;;   (add-hook 'zan-mode-hook #'eglot-ensure)   ; start `zan lsp' in zan buffers
;;
;; The server is started once per rulebook: the project of a `.zan' file is the
;; nearest folder above it holding a `.zan' file that declares a `rulebook' (as
;; the Neovim setup does), so that every file of the rulebook shares one server.

;;; Code:

(require 'project)
(require 'cl-lib)
(require 'subr-x)

(defgroup zan nil
  "The zan rules language."
  :group 'languages
  :prefix "zan-")

(defcustom zan-executable "zan"
  "The `zan' binary: on `exec-path', or a full file name."
  :type 'string)

(defcustom zan-indent-offset 2
  "Columns of indentation per bracket level."
  :type 'integer
  :safe #'integerp)

;;;; Highlighting

;; The reserved words of grammar/zan.pest (rule `keyword') and the words of its
;; `kw_*' rules, by role; tests/editors.rs checks that every one is here.
(defconst zan-declaration-keywords
  '("rulebook" "source" "enum" "record" "fact" "parameter" "table" "calendar"
    "rule" "exception" "reasons" "reason" "amendment" "example" "test")
  "Words that start a declaration.")

(defconst zan-keywords
  '("output" "cites" "checks" "when" "then" "otherwise" "if" "else" "match"
    "and" "or" "not" "in" "is" "present" "any" "all" "count" "sum" "map" "filter" "where" "of"
    "as" "from" "until" "force" "to" "add" "replace" "repeal" "correcting"
    "given" "set" "expect" "fails")
  "The other keywords.")

(defconst zan-calendar-keywords
  '("weekend" "holiday" "every" "on" "carried" "over" "day" "off" "instead"
    "working")
  "The words of calendars (not reserved: they may also name things).")

(defconst zan-table-keywords
  '("hit" "first" "most" "specific" "unique" "more" "less" "than" "at" "least" "up")
  "The words of a table's hit policy and of band patterns (not reserved).")

(defconst zan-constants '("true" "false" "absent")
  "Constant words.")

(defconst zan-builtin-types
  '("bool" "integer" "decimal" "money" "duration" "text" "list" "date" "period")
  "Built-in types.")

(defconst zan-weekdays
  '("monday" "tuesday" "wednesday" "thursday" "friday" "saturday" "sunday")
  "Weekday names (calendars).")

(defconst zan-builtin-functions
  '("age" "days_between" "period" "start" "end" "days" "days_present"
    "max_days_in_any_window" "year" "date" "count" "is_empty" "min" "max"
    "round" "value_or" "is_working_day" "working_days_between"
    "month" "day" "weekday" "start_of_month" "end_of_month")
  "Built-in functions, highlighted before an opening parenthesis.")

(defun zan--words (words)
  "A regexp matching any of WORDS as a whole symbol."
  (concat "\\_<" (regexp-opt words t) "\\_>"))

(defconst zan-font-lock-keywords
  `(;; `///' doc comments over the comment face of the syntax table.
    ("///.*$" 0 font-lock-doc-face t)
    ("//[[:space:]]*\\(OPEN:\\)" 1 font-lock-warning-face t)
    (,(concat (zan--words zan-declaration-keywords) "[[:space:]]+\\(\\(?:\\sw\\|\\s_\\)+\\)")
     (1 font-lock-keyword-face) (2 font-lock-function-name-face))
    (,(zan--words zan-declaration-keywords) . font-lock-keyword-face)
    (,(zan--words zan-keywords) . font-lock-keyword-face)
    (,(zan--words zan-calendar-keywords) . font-lock-keyword-face)
    (,(zan--words zan-table-keywords) . font-lock-keyword-face)
    (,(zan--words zan-constants) . font-lock-constant-face)
    (,(zan--words zan-weekdays) . font-lock-constant-face)
    (,(concat (zan--words zan-builtin-functions) "[[:space:]]*(") 1 font-lock-builtin-face)
    (,(zan--words zan-builtin-types) . font-lock-type-face)
    ("\\_<as_of\\_>" . font-lock-builtin-face)
    ;; Declared types (enums and records) are capitalised.
    ("\\_<[[:upper:]]\\(?:\\sw\\|\\s_\\)*\\_>" . font-lock-type-face)
    ;; Dates, amounts with their currency, durations.
    ("\\_<[0-9]\\{4\\}-[0-9]\\{2\\}-[0-9]\\{2\\}\\_>" . font-lock-constant-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]+\\)?[[:space:]]+[A-Z]\\{3\\}\\_>" . font-lock-constant-face)
    ("\\_<[0-9]+[[:space:]]+\\(?:working[[:space:]]+\\)?\\(?:days?\\|weeks?\\|months?\\|years?\\)\\_>"
     . font-lock-constant-face))
  "Highlighting of `zan-mode'.")

(defvar zan-mode-syntax-table
  (let ((table (make-syntax-table)))
    ;; `//' starts a comment up to the end of the line; a lone `/' divides.
    (modify-syntax-entry ?/ ". 12" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    (modify-syntax-entry ?_ "_" table)
    (dolist (c '(?+ ?- ?* ?< ?> ?= ?! ?? ?.))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table of `zan-mode'.")

;;;; Indentation

(defconst zan--continuation-regexp
  (concat "[[:space:]]*" (regexp-opt '("cites" "checks" "then" "and" "or" "in force") 'symbols))
  "Lines that continue the line above: one more level than their brackets give.")

(defun zan-indent-line ()
  "Indent the current line: `zan-indent-offset' per open bracket, one less on a
line that starts by closing one, one more on a continuation (`cites', `then',
`and', `or')."
  (interactive)
  (let* ((state (save-excursion (syntax-ppss (line-beginning-position))))
         (depth (car state))
         (column
          (save-excursion
            (back-to-indentation)
            (cond
             ;; Inside a string or a comment, leave the line as it is.
             ((or (nth 3 state) (nth 4 state)) nil)
             (t
              (let ((level depth))
                (when (looking-at "[])}]") (setq level (1- level)))
                (when (looking-at zan--continuation-regexp) (setq level (1+ level)))
                (* zan-indent-offset (max level 0))))))))
    (when column
      (if (<= (current-column) (current-indentation))
          (indent-line-to column)
        (save-excursion (indent-line-to column))))))

;;;; zan fmt

(defun zan--command-output (start end &rest args)
  "Run `zan-executable' with ARGS on the text from START to END.
Returns (EXIT-CODE . STDOUT); the standard error goes to the buffer *zan fmt*."
  (let ((stdout (generate-new-buffer " *zan fmt output*"))
        (stderr (make-temp-file "zan-fmt-stderr"))
        (coding-system-for-read 'utf-8)
        (coding-system-for-write 'utf-8))
    (unwind-protect
        (let ((code (apply #'call-process-region start end zan-executable nil
                           (list stdout stderr) nil args)))
          (with-current-buffer (get-buffer-create "*zan fmt*")
            (let ((inhibit-read-only t))
              (erase-buffer)
              (insert-file-contents stderr)))
          (cons code (with-current-buffer stdout (buffer-string))))
      (kill-buffer stdout)
      (delete-file stderr))))

(defun zan-format ()
  "Format the buffer with `zan fmt -', keeping point.
On a syntax error, the buffer is kept and the errors are in *zan fmt*."
  (interactive)
  (let* ((result (zan--command-output (point-min) (point-max) "fmt" "-"))
         (code (car result))
         (formatted (cdr result)))
    (if (and (eq code 0) (not (string-empty-p formatted)))
        (unless (string= formatted (buffer-substring-no-properties (point-min) (point-max)))
          (let ((source (current-buffer)))
            (with-temp-buffer
              (insert formatted)
              (let ((temp (current-buffer)))
                (with-current-buffer source
                  (replace-buffer-contents temp))))))
      (display-buffer "*zan fmt*")
      (message "zan fmt: the buffer has errors (exit %s); see *zan fmt*" code))
    (eq code 0)))

;;;; The rulebook as the project

(defun zan--declares-rulebook-p (file)
  "Whether FILE starts a line with the `rulebook' declaration."
  (with-temp-buffer
    (insert-file-contents file nil 0 65536)
    (goto-char (point-min))
    (re-search-forward "^rulebook[[:space:]]" nil t)))

(defun zan-rulebook-root (&optional dir)
  "The nearest folder from DIR up that holds a `.zan' file declaring a rulebook."
  (let ((dir (file-name-as-directory (expand-file-name (or dir default-directory))))
        (home (file-name-as-directory (expand-file-name "~")))
        found)
    (while (and dir (not found) (not (string= dir home)))
      (when (cl-some #'zan--declares-rulebook-p
                     (directory-files dir t "\\.zan\\'" t))
        (setq found dir))
      (let ((parent (file-name-directory (directory-file-name dir))))
        (setq dir (unless (equal parent dir) parent))))
    found))

(defun zan-project-find (dir)
  "A project for `project-find-functions': the rulebook folder of DIR."
  (when-let ((root (and (or (derived-mode-p 'zan-mode)
                            (string-suffix-p ".zan" (or buffer-file-name "")))
                        (zan-rulebook-root dir))))
    (cons 'zan root)))

(cl-defmethod project-root ((project (head zan)))
  "The rulebook folder of PROJECT."
  (cdr project))

;;;; eglot

(defun zan-eglot-contact (&optional _interactive)
  "The command that starts the language server, for eglot."
  (list zan-executable "lsp"))

(with-eval-after-load 'eglot
  (defvar eglot-server-programs)
  (add-to-list 'eglot-server-programs '(zan-mode . zan-eglot-contact)))

;;;; The mode

(defvar zan-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-f") #'zan-format)
    map)
  "Keys of `zan-mode'.")

;;;###autoload
(define-derived-mode zan-mode prog-mode "zan"
  "Major mode for rulebooks of the zan rules language.

\\{zan-mode-map}"
  :syntax-table zan-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "///*[[:space:]]*")
  (setq-local font-lock-defaults '(zan-font-lock-keywords))
  (setq-local indent-line-function #'zan-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local tab-width zan-indent-offset)
  (setq-local electric-indent-chars (append "{}[]()" electric-indent-chars))
  (add-hook 'project-find-functions #'zan-project-find nil t))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.zan\\'" . zan-mode))

(provide 'zan-mode)
;;; zan-mode.el ends here
