//! Editor support (`editors/`): the VS Code extension's manifest, language configuration and
//! TextMate grammar are consistent with each other and with `grammar/zan.pest`, and the grammar
//! tests of `editors/vscode/test/grammar` pass (when `npm` is installed); the Neovim, Emacs
//! (eglot) and Vim (ALE) setups each run headless against the real server where the editor is
//! installed (skipped with a notice where it is not, failing under CI, where `.ci/run`
//! installs them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vscode_dir() -> PathBuf {
    root().join("editors").join("vscode")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&read(path))
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

/// A path of the manifest (`./syntaxes/zan.tmLanguage.json`) inside editors/vscode.
fn manifest_path(value: &Json, what: &str) -> PathBuf {
    let rel = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"));
    let path = vscode_dir().join(rel.trim_start_matches("./"));
    assert!(
        path.is_file(),
        "{what} {rel} does not exist ({})",
        path.display()
    );
    path
}

fn as_strings(value: &Json) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn vscode_manifest_language_configuration_and_grammar_agree() {
    let manifest = read_json(&vscode_dir().join("package.json"));
    assert_eq!(manifest["name"], "zan");
    assert!(
        manifest["publisher"].is_string(),
        "package.json needs a publisher"
    );
    assert!(
        manifest["engines"]["vscode"].is_string(),
        "package.json needs engines.vscode"
    );
    assert_eq!(manifest["main"], "./out/extension.js");
    let activation = as_strings(&manifest["activationEvents"]);
    assert!(
        activation.iter().any(|e| e == "onLanguage:zan"),
        "activationEvents: {activation:?}"
    );

    // contributes.languages: the `zan` language for `.zan` files, with its configuration file.
    let languages = manifest["contributes"]["languages"]
        .as_array()
        .expect("contributes.languages");
    let zan: Vec<&Json> = languages.iter().filter(|l| l["id"] == "zan").collect();
    assert_eq!(
        zan.len(),
        1,
        "exactly one language with id zan: {languages:?}"
    );
    let language = zan[0];
    assert_eq!(as_strings(&language["extensions"]), vec![".zan".to_owned()]);
    let config = read_json(&manifest_path(
        &language["configuration"],
        "language configuration",
    ));
    assert_eq!(config["comments"]["lineComment"], "//");
    let brackets: Vec<Vec<String>> = config["brackets"]
        .as_array()
        .expect("brackets")
        .iter()
        .map(as_strings)
        .collect();
    for pair in [["{", "}"], ["[", "]"], ["(", ")"]] {
        assert!(
            brackets.iter().any(|b| b == &pair),
            "brackets lack {pair:?}: {brackets:?}"
        );
    }
    let closing: Vec<&str> = config["autoClosingPairs"]
        .as_array()
        .expect("autoClosingPairs")
        .iter()
        .filter_map(|p| p["open"].as_str())
        .collect();
    for open in ["{", "[", "(", "\""] {
        assert!(
            closing.contains(&open),
            "autoClosingPairs lack {open}: {closing:?}"
        );
    }

    // contributes.grammars: source.zan for the zan language, and the file says so too.
    let grammars = manifest["contributes"]["grammars"]
        .as_array()
        .expect("contributes.grammars");
    let grammar = grammars
        .iter()
        .find(|g| g["language"] == "zan")
        .expect("a grammar for the zan language");
    assert_eq!(grammar["scopeName"], "source.zan");
    let tm = read_json(&manifest_path(&grammar["path"], "grammar"));
    assert_eq!(tm["scopeName"], "source.zan");
    assert!(tm["patterns"].is_array() && tm["repository"].is_object());

    // Every `#name` include points into the repository.
    let mut includes = Vec::new();
    collect_strings(&tm, "include", &mut includes);
    for include in includes {
        if let Some(name) = include.strip_prefix('#') {
            assert!(
                tm["repository"].get(name).is_some(),
                "include {include} has no repository entry"
            );
        }
    }

    // The settings and the command the README documents.
    let properties = &manifest["contributes"]["configuration"]["properties"];
    assert_eq!(properties["zan.server.path"]["default"], "zan");
    assert!(properties["zan.server.args"].is_object());
    assert!(properties["zan.trace.server"].is_object());
    let commands: Vec<&str> = manifest["contributes"]["commands"]
        .as_array()
        .expect("contributes.commands")
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    assert!(commands.contains(&"zan.restartServer"), "{commands:?}");
    for script in ["compile", "test", "package"] {
        assert!(
            manifest["scripts"][script].is_string(),
            "npm script {script} missing"
        );
    }
}

/// The string values of every `key` in a JSON tree.
fn collect_strings(value: &Json, key: &str, out: &mut Vec<String>) {
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                if k == key {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_owned());
                    }
                }
                collect_strings(v, key, out);
            }
        }
        Json::Array(items) => {
            for item in items {
                collect_strings(item, key, out);
            }
        }
        _ => {}
    }
}

/// The string literals of the pest rule `name = @{ ... }` (up to its closing brace).
fn pest_rule_literals(pest: &str, name: &str) -> Vec<String> {
    let start = pest
        .lines()
        .scan(0usize, |offset, line| {
            let at = *offset;
            *offset += line.len() + 1;
            Some((at, line))
        })
        .find(|(_, line)| {
            line.trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(at, _)| at)
        .unwrap_or_else(|| panic!("grammar/zan.pest has no rule `{name}`"));
    let body = &pest[start..];
    let open = body.find('{').expect("rule body");
    let close = body[open..].find('}').expect("end of rule body") + open;
    body[open..close]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Whether `word` occurs in `text` with no identifier character on either side. The letter of
/// a regex escape just before it (`\bmatch`, `\smatch`) is not an identifier character.
fn contains_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let mut preceding = text[..at].chars().rev();
        let before = preceding.next();
        let escaped = preceding.next() == Some('\\');
        let after = text[at + word.len()..].chars().next();
        (escaped || !before.is_some_and(is_ident)) && !after.is_some_and(is_ident)
    })
}

/// The keywords of the language: the `keyword` rule (reserved words) and every `kw_*` rule
/// (also the calendar words, which are not reserved).
fn pest_keywords() -> (Vec<String>, BTreeSet<String>) {
    let pest = read(&root().join("grammar").join("zan.pest"));
    let reserved = pest_rule_literals(&pest, "keyword");
    assert!(
        reserved.len() >= 40 && reserved.iter().any(|k| k == "rulebook"),
        "the `keyword` rule of grammar/zan.pest was not read correctly: {reserved:?}"
    );
    let mut all: BTreeSet<String> = reserved.iter().cloned().collect();
    for line in pest.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("kw_") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                all.extend(pest_rule_literals(&pest, &format!("kw_{name}")));
            }
        }
    }
    (reserved, all)
}

#[test]
fn textmate_grammar_highlights_every_keyword_of_the_pest_grammar() {
    let (reserved, all) = pest_keywords();
    let tm = read_json(&vscode_dir().join("syntaxes").join("zan.tmLanguage.json"));
    let mut regexes = Vec::new();
    for key in ["match", "begin", "end", "while"] {
        collect_strings(&tm, key, &mut regexes);
    }
    let missing: Vec<&String> = all
        .iter()
        .filter(|kw| !regexes.iter().any(|re| contains_word(re, kw)))
        .collect();
    assert!(
        missing.is_empty(),
        "keywords of grammar/zan.pest missing from editors/vscode/syntaxes/zan.tmLanguage.json: {missing:?}"
    );
    assert!(all.len() > reserved.len(), "no kw_* rules found");
}

#[test]
fn vim_syntax_highlights_every_reserved_keyword() {
    let (reserved, _) = pest_keywords();
    let vim = read(
        &root()
            .join("editors")
            .join("nvim")
            .join("syntax")
            .join("zan.vim"),
    );
    let code: String = vim
        .lines()
        .filter(|l| !l.trim_start().starts_with('"'))
        .collect::<Vec<_>>()
        .join("\n");
    let missing: Vec<&String> = reserved
        .iter()
        .filter(|kw| !contains_word(&code, kw))
        .collect();
    assert!(
        missing.is_empty(),
        "keywords of grammar/zan.pest missing from editors/nvim/syntax/zan.vim: {missing:?}"
    );
}

fn npm() -> &'static str {
    if cfg!(windows) {
        "npm.cmd"
    } else {
        "npm"
    }
}

fn output_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `npm test` in editors/vscode: the vscode-tmgrammar-test assertions of test/grammar.
#[test]
fn vscode_grammar_tests_pass() {
    let version = Command::new(npm()).arg("--version").output();
    match version {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!("skipped: npm not found, VS Code grammar tests not run");
            println!("skipped: npm not found, VS Code grammar tests not run");
            return;
        }
    }
    let dir = vscode_dir();
    if !dir
        .join("node_modules")
        .join("vscode-tmgrammar-test")
        .is_dir()
    {
        let ci = Command::new(npm())
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("run npm ci");
        assert!(
            ci.status.success(),
            "`npm ci --no-audit --no-fund` failed in {}:\n{}",
            dir.display(),
            output_text(&ci)
        );
    }
    let test = Command::new(npm())
        .arg("test")
        .current_dir(&dir)
        .output()
        .expect("run npm test");
    let text = output_text(&test);
    assert!(
        test.status.success(),
        "`npm test` (VS Code grammar tests) failed in {}:\n{text}",
        dir.display()
    );
    let passed = text.matches("run successfuly").count();
    println!("VS Code grammar tests: {passed} file(s) passed");
    assert!(passed >= 1, "no grammar test file ran:\n{text}");
}

/// The shipped Neovim setup against the real server, where Neovim is installed (Debian's
/// 0.7 package here): attach, diagnostics, hover, definition, formatting, references, symbols,
/// semantic tokens, folding, inlay hints, completion, rename, an edit and its quick fix.
#[test]
fn neovim_client_smoke_test_passes() {
    if !installed(
        "nvim",
        "neovim",
        "the Neovim smoke test (editors/nvim/test/smoke.lua)",
    ) {
        return;
    }
    let o = Command::new("nvim")
        .current_dir(root())
        .env("ZAN_BIN", env!("CARGO_BIN_EXE_zan"))
        .args([
            "--headless",
            "-u",
            "NONE",
            "--cmd",
            "set rtp+=editors/nvim",
            "-c",
            "luafile editors/nvim/test/smoke.lua",
        ])
        .output()
        .expect("run nvim");
    let text = output_text(&o);
    assert!(
        o.status.success() && text.contains("smoke test: passed"),
        "{text}"
    );
}

/// The filetype, ftplugin and syntax groups of editors/nvim, without the server.
#[test]
fn neovim_syntax_checks_pass() {
    if !installed(
        "nvim",
        "neovim",
        "the Neovim syntax checks (editors/nvim/test/syntax.lua)",
    ) {
        return;
    }
    let o = Command::new("nvim")
        .current_dir(root())
        .args(["--headless", "-u", "NONE", "--cmd", "set rtp+=editors/nvim"])
        .args(["-c", "luafile editors/nvim/test/syntax.lua"])
        .output()
        .expect("run nvim");
    let text = output_text(&o);
    assert!(
        o.status.success() && text.contains("syntax checks passed"),
        "{text}"
    );
}

/// The line of a grammar or syntax file that highlights the built-in functions.
fn builtin_line<'a>(text: &'a str, marker: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(marker) && l.contains("working_days_between"))
        .unwrap_or_else(|| panic!("no line with {marker} listing the built-in functions"))
}

#[test]
fn editors_and_the_language_docs_know_every_built_in_function_with_its_arguments() {
    let vim = read(&root().join("editors/nvim/syntax/zan.vim"));
    let vim = builtin_line(&vim, "zanBuiltinFunction");
    let tm = read(&vscode_dir().join("syntaxes/zan.tmLanguage.json"));
    let tm = builtin_line(&tm, "\"match\"");
    let docs = read(&root().join("docs/language.md"));
    for f in zan::check::FUNCTIONS {
        assert!(contains_word(vim, f.name), "zan.vim misses `{}`", f.name);
        assert!(
            contains_word(tm, f.name),
            "the TextMate grammar misses `{}`",
            f.name
        );
        // docs/language.md writes each as `name(a, b)`, with the same number of arguments.
        let call = format!("`{}(", f.name);
        let at = docs
            .find(&call)
            .unwrap_or_else(|| panic!("docs/language.md does not show `{}(…)`", f.name));
        let args = &docs[at + call.len()..];
        let args = &args[..args.find(')').unwrap_or(0)];
        assert_eq!(
            args.split(',').count(),
            f.params.len(),
            "docs/language.md shows `{}({args})`, the checker takes {}",
            f.name,
            f.signature()
        );
    }
}

/// Whether `program` runs; if not, a notice (or, under CI, a failure: `.ci/run` installs the
/// Debian package `package`).
fn installed(program: &str, package: &str, what: &str) -> bool {
    let runs = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        if std::env::var_os("CI").is_some() {
            panic!("{program} is not installed (Debian's {package}; .ci/run installs it): {what} cannot run");
        }
        println!("skipped: {program} not found, {what} not run");
    }
    runs
}

fn emacs_mode() -> String {
    read(&root().join("editors/emacs/zan-mode.el"))
}

/// The words of the `(defconst zan-… '("…" …))` lists of zan-mode.el.
fn emacs_words(el: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for block in el.split("(defconst zan-").skip(1) {
        let Some(list) = block.split_once("'(").map(|(_, rest)| rest) else {
            continue;
        };
        let list = &list[..list.find(')').unwrap_or(0)];
        words.extend(list.split('"').skip(1).step_by(2).map(str::to_owned));
    }
    words
}

#[test]
fn emacs_mode_highlights_every_keyword_of_the_pest_grammar() {
    let (_, all) = pest_keywords();
    let words = emacs_words(&emacs_mode());
    let missing: Vec<&String> = all.iter().filter(|k| !words.contains(*k)).collect();
    assert!(
        missing.is_empty(),
        "keywords of grammar/zan.pest missing from editors/emacs/zan-mode.el: {missing:?}"
    );
    for f in zan::check::FUNCTIONS {
        assert!(
            words.contains(f.name),
            "zan-mode.el misses the built-in `{}`",
            f.name
        );
    }
}

/// zan-mode.el byte-compiles without a warning.
#[test]
fn emacs_mode_byte_compiles_cleanly() {
    if !installed("emacs", "emacs-nox", "the byte-compilation of zan-mode.el") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("zan-emacs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("zan-mode.el");
    std::fs::copy(root().join("editors/emacs/zan-mode.el"), &copy).unwrap();
    let o = Command::new("emacs")
        .args(["--batch", "-Q", "--eval"])
        .arg("(setq byte-compile-error-on-warn t)")
        .arg("-f")
        .arg("batch-byte-compile")
        .arg(copy)
        .output()
        .expect("run emacs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{}", output_text(&o));
}

/// zan-mode and eglot (Debian's elpa-eglot) against `zan lsp`: editors/emacs/test/eglot-test.el.
#[test]
fn emacs_eglot_test_passes() {
    if !installed("emacs", "emacs-nox and elpa-eglot", "the Emacs eglot test") {
        return;
    }
    let o = Command::new("emacs")
        .current_dir(root())
        .env("ZAN_BIN", env!("CARGO_BIN_EXE_zan"))
        .args(["--batch", "-Q", "-l", "editors/emacs/test/eglot-test.el"])
        .output()
        .expect("run emacs");
    let text = output_text(&o);
    if text.contains("Cannot open load file") && text.contains("eglot") {
        assert!(
            std::env::var_os("CI").is_none(),
            "eglot is not installed (Debian's elpa-eglot)"
        );
        println!("skipped: eglot not found (Debian's elpa-eglot), the Emacs eglot test not run");
        return;
    }
    assert!(
        o.status.success() && text.contains("emacs eglot test: passed"),
        "{text}"
    );
    // What eglot gets for a hover: it asks for plain text unless markdown-mode is installed.
    let hover = text
        .lines()
        .find(|l| l.starts_with("hover-kind"))
        .unwrap_or("");
    println!("{hover}");
    if hover.contains("plaintext fences yes") {
        println!("notice: the hover sent to eglot as plain text holds markdown fences (part D of issue 20 honours contentFormat)");
    }
}

/// The Vim setup (editors/vim) with ALE (Debian's vim-ale) against `zan lsp`:
/// editors/vim/test/ale.vim.
#[test]
fn vim_ale_test_passes() {
    if !installed("vim", "vim", "the Vim ALE test") {
        return;
    }
    let ale = Path::new("/usr/share/vim/vimfiles/pack/dist-bundle/opt/ale");
    let home_ale = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".vim/pack"))
        .is_some_and(|p| p.is_dir());
    if !ale.is_dir() && !home_ale {
        assert!(
            std::env::var_os("CI").is_none(),
            "ALE is not installed (Debian's vim-ale)"
        );
        println!("skipped: ALE not found (Debian's vim-ale), the Vim ALE test not run");
        return;
    }
    let log = std::env::temp_dir().join(format!("zan-vim-ale-{}.log", std::process::id()));
    let o = Command::new("vim")
        .current_dir(root())
        .env("ZAN_BIN", env!("CARGO_BIN_EXE_zan"))
        .env("ZAN_VIM_LOG", &log)
        .args(["-Nu", "NONE", "-i", "NONE", "-n", "-es"])
        .args([
            "--cmd",
            "set rtp^=editors/vim",
            "-S",
            "editors/vim/test/ale.vim",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run vim");
    let report = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(
        o.status.success() && report.contains("vim ale test: passed"),
        "{report}\n{}",
        output_text(&o)
    );
    println!("{report}");
}

#[test]
fn vim_setup_shares_the_neovim_syntax_and_defines_the_ale_linter() {
    let vim = root().join("editors/vim");
    let syntax = read(&vim.join("syntax/zan.vim"));
    assert!(syntax.contains("/nvim/syntax/zan.vim"), "{syntax}");
    assert!(read(&vim.join("ftdetect/zan.vim")).contains("*.zan setfiletype zan"));
    let linter = read(&vim.join("ale_linters/zan/zan.vim"));
    for needle in [
        "ale#linter#Define('zan'",
        "'lsp': 'stdio'",
        "'command': '%e lsp'",
    ] {
        assert!(linter.contains(needle), "{needle}");
    }
    let autoload = read(&vim.join("autoload/zan.vim"));
    assert!(autoload.contains("' fmt -'") && autoload.contains("ale#fix#registry#Add('zan_fmt'"));
}
