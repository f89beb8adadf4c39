;;; eglot-test.el --- zan-mode and eglot against the real server -*- lexical-binding: t; -*-

;;; Commentary:

;; Run from the repository root, headless (tests/editors.rs does):
;;
;;   ZAN_BIN=target/release/zan emacs --batch -Q -l editors/emacs/test/eglot-test.el
;;
;; Opens rulebooks/kz-visa/visas.zan in zan-mode (highlighting, indentation,
;; `zan-format', the rulebook as the project), connects eglot to `zan lsp' as
;; `eglot-ensure' does, and checks the server's answers as eglot gets them:
;; diagnostics after an error is typed, hover, same-file and cross-file
;; definition, completion, and formatting. Prints one line per check and
;; "emacs eglot test: passed" at the end; exits 1 on the first failure.

;;; Code:

(require 'package)
;; Debian's elpa-eglot, which `emacs -Q' does not activate.
(dolist (dir '("/usr/share/emacs/site-lisp/elpa" "/usr/share/emacs/site-lisp/elpa-src"))
  (when (file-directory-p dir)
    (add-to-list 'package-directory-list dir)))
(package-initialize)
(require 'eglot)
(require 'xref)
(require 'flymake)
(load (expand-file-name "editors/emacs/zan-mode.el") nil t)

(setq zan-executable (or (getenv "ZAN_BIN") "zan"))
(setq jsonrpc-default-request-timeout 30
      eglot-sync-connect 10
      eglot-connect-timeout 30
      eglot-autoshutdown nil
      make-backup-files nil)

(defvar zan-test--failed nil)

(defun zan-test--say (fmt &rest args)
  "Print a line on standard output."
  (princ (concat (apply #'format fmt args) "\n")))

(defun zan-test--check (name ok &optional detail)
  "Report check NAME: OK, or a failure with DETAIL, which ends the run."
  (if ok
      (zan-test--say "ok   %s" name)
    (zan-test--say "FAIL %s: %s" name (or detail ""))
    (setq zan-test--failed t)
    (kill-emacs 1)))

(defun zan-test--wait (predicate seconds)
  "Wait up to SECONDS for PREDICATE, serving the server's messages and timers."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun zan-test--goto (text &optional nth)
  "Move point to the start of the NTH (1 by default) occurrence of TEXT."
  (goto-char (point-min))
  (search-forward text nil nil (or nth 1))
  (goto-char (match-beginning 0)))

(defun zan-test--face-at (text)
  "The face of the first character of the first TEXT."
  (save-excursion
    (zan-test--goto text)
    (let ((face (get-text-property (point) 'face)))
      (if (listp face) (car face) face))))

(let* ((root (expand-file-name "rulebooks/kz-visa/"))
       (file (expand-file-name "visas.zan" root)))

  ;; ------------------------------------------------------------ the mode
  (find-file file)
  (zan-test--check "zan-mode for .zan files" (eq major-mode 'zan-mode) major-mode)
  (font-lock-ensure)
  (zan-test--check "keyword face"
                   (eq (zan-test--face-at "rule visa_service_operation") 'font-lock-keyword-face)
                   (zan-test--face-at "rule visa_service_operation"))
  (zan-test--check "declared name face"
                   (eq (zan-test--face-at "visa_service_operation: bool") 'font-lock-function-name-face)
                   (zan-test--face-at "visa_service_operation: bool"))
  (zan-test--check "comment face"
                   (eq (zan-test--face-at "// Baseline") 'font-lock-comment-delimiter-face)
                   (zan-test--face-at "// Baseline"))
  (zan-test--check "doc comment face"
                   (eq (zan-test--face-at "/// Whether the request") 'font-lock-doc-face)
                   (zan-test--face-at "/// Whether the request"))
  (zan-test--check "string face"
                   (eq (zan-test--face-at "\"\\\"issuance") 'font-lock-string-face)
                   (zan-test--face-at "\"\\\"issuance"))
  (zan-test--check "the rulebook folder is the project"
                   (equal (project-root (project-current)) root)
                   (project-current))

  ;; Indentation: a block with its indentation removed is indented as the file is.
  (let* ((start (save-excursion (zan-test--goto "output rule public_services") (point)))
         (end (save-excursion (goto-char start) (search-forward "\n}\n") (point)))
         (expected (buffer-substring-no-properties start end))
         (got (with-temp-buffer
                (zan-mode)
                (insert (replace-regexp-in-string "^[ \t]+" "" expected))
                (indent-region (point-min) (point-max))
                (buffer-string))))
    (zan-test--check "indentation by two spaces" (equal got expected)
                     (format "\n%s" got)))

  ;; `zan-format' (zan fmt -) on a copy whose indentation is wrong.
  (let ((text (buffer-substring-no-properties (point-min) (point-max))))
    (with-temp-buffer
      (zan-mode)
      (insert (replace-regexp-in-string "^  when" "      when" text))
      (zan-test--check "zan-format formats the buffer"
                       (and (zan-format) (equal (buffer-string) text))
                       (buffer-substring (point-min) (min (point-max) 400)))))

  ;; ------------------------------------------------------------ eglot
  ;; As the setup of editors/README.md: `eglot-ensure' from the mode hook connects
  ;; after the command that opened the file.
  (eglot-ensure)
  (run-hooks 'post-command-hook)
  (zan-test--check "eglot connects to zan lsp"
                   (zan-test--wait #'eglot-current-server 30)
                   (with-current-buffer (get-buffer-create "*Messages*") (buffer-string)))
  (let ((server (eglot-current-server)))
    (zan-test--check "the server runs on the rulebook folder"
                     (equal (file-name-as-directory (expand-file-name (project-root (eglot--project server))))
                            root)
                     (eglot--project server))

    ;; Hover on a use of a rule: its doc comment, as eglot renders it.
    (zan-test--goto "visa_service_operation" 2)
    (let* ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
           (contents (plist-get hover :contents))
           (kind (and (listp contents) (plist-get contents :kind)))
           (text (and hover (eglot--hover-info contents (plist-get hover :range)))))
      (zan-test--check "hover shows the rule's doc comment"
                       (and text (string-match-p "Whether the request asks for a visa" text))
                       text)
      ;; What eglot asked for (only plain text without markdown-mode) and got.
      (zan-test--say "hover-kind %s fences %s" kind
                     (if (and text (string-match-p "```" text)) "yes" "no")))

    ;; Definition in the same file, then in another file of the rulebook.
    (zan-test--goto "visa_service_operation" 2)
    (let* ((backend (xref-find-backend))
           (defs (xref-backend-definitions backend (xref-backend-identifier-at-point backend)))
           (loc (and defs (xref-item-location (car defs)))))
      (zan-test--check "definition in the same file"
                       (and loc (string-suffix-p "visas.zan" (xref-location-group loc))
                            (= (xref-location-line loc) 19))
                       (and loc (list (xref-location-group loc) (xref-location-line loc)))))
    (zan-test--goto "VisaOperation.primary_issuance")
    (let* ((backend (xref-find-backend))
           (defs (xref-backend-definitions backend (xref-backend-identifier-at-point backend)))
           (loc (and defs (xref-item-location (car defs)))))
      (zan-test--check "definition in another file"
                       (and loc (string-suffix-p "visa-schema.zan" (xref-location-group loc))
                            (= (xref-location-line loc) 51))
                       (and loc (list (xref-location-group loc) (xref-location-line loc)))))

    ;; Completion of a rule name being typed in a rule's body.
    (zan-test--goto "application is present\n    and application.operation")
    (insert "visa_serv and ")
    (backward-char (length " and "))
    (eglot--signal-textDocument/didChange)
    (let* ((capf (eglot-completion-at-point))
           (candidates (and capf (all-completions "visa_serv" (nth 2 capf)))))
      (zan-test--check "completion offers the rule"
                       (member "visa_service_operation" candidates)
                       (list capf candidates)))
    (delete-region (- (point) (length "visa_serv")) (+ (point) (length " and ")))
    (eglot--signal-textDocument/didChange)

    ;; An error typed into the buffer: the server's diagnostic reaches flymake.
    (zan-test--goto "application is present\n    and application.operation")
    (insert "x")                            ; xapplication: an unknown name
    (eglot--signal-textDocument/didChange)
    (let ((diags (zan-test--wait
                  (lambda ()
                    (flymake-start)
                    (cl-remove-if-not
                     (lambda (d) (string-match-p "xapplication" (flymake-diagnostic-text d)))
                     (flymake-diagnostics)))
                  30)))
      (zan-test--check "a diagnostic for the error typed"
                       (and diags (eq (flymake-diagnostic-type (car diags)) 'eglot-error)
                            (= (line-number-at-pos (flymake-diagnostic-beg (car diags))) 22))
                       (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))
      (zan-test--say "diagnostic: %s" (flymake-diagnostic-text (car diags))))
    (delete-char -1)
    (eglot--signal-textDocument/didChange)
    (zan-test--check "the diagnostic goes when the error is undone"
                     (zan-test--wait
                      (lambda ()
                        (flymake-start)
                        (not (cl-some (lambda (d) (string-match-p "xapplication" (flymake-diagnostic-text d)))
                                      (flymake-diagnostics))))
                      30))

    ;; Formatting through the server.
    (let ((text (buffer-substring-no-properties (point-min) (point-max))))
      (zan-test--goto "  when invitation is present and visa_service_operation")
      (insert "      ")
      (eglot-format-buffer)
      (zan-test--check "eglot-format-buffer formats with the server"
                       (equal (buffer-substring-no-properties (point-min) (point-max)) text)))

    (set-buffer-modified-p nil)
    (eglot-shutdown server)))

(zan-test--say "emacs eglot test: passed")
(kill-emacs 0)

;;; eglot-test.el ends here
