//! The command line: reads files, calls the pure `check` and `eval`, prints (through
//! `output`, the one path to standard output and standard error), and chooses the exit code
//! (0 ok, 1 diagnostics or failing tests, 2 usage or input errors or output that could not be
//! written; 130 and 143 for a batch stopped by SIGINT or SIGTERM).

mod atomic;
mod batch;
mod commands;
mod diff;
mod doc;
mod fmt;
pub use batch::MAX_LINE_BYTES;
pub(crate) mod output;
mod schema;
mod serve;
mod signals;
mod test;

use output::stderr_line;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(name = "zan", version, about = "zan: a declarative rules language for law", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How much of each derivation `zan eval --explain` shows.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExplainDepth {
    /// The path to each value, with its citations.
    Path,
    /// The whole tree: also the values behind every condition that held.
    Full,
}

impl From<ExplainDepth> for crate::eval::Depth {
    fn from(d: ExplainDepth) -> Self {
        match d {
            ExplainDepth::Path => crate::eval::Depth::Path,
            ExplainDepth::Full => crate::eval::Depth::Full,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// The least severity `zan check --severity` shows.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShownSeverity {
    Error,
    Warning,
    Note,
}

/// The formats of `zan check`: those of the other commands and SARIF.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    /// A SARIF 2.1.0 log, for GitHub code scanning.
    Sarif,
}

#[derive(Subcommand)]
enum Command {
    /// Check a rulebook folder and report every diagnostic.
    #[command(
        after_help = "Example:\n  zan check rulebooks/kz-visa\n  zan check rulebooks/kz-visa --format json\n  zan check rulebooks/kz-visa --format sarif > zan.sarif\n\n--format sarif writes a SARIF 2.1.0 log for GitHub code scanning (file paths as given,\nso run it from the repository root) and prints the errors and a summary on stderr.\nExit codes: 0 no errors (warnings allowed), 1 errors, 2 unreadable input."
    )]
    Check {
        /// The rulebook folder (or one .zan file).
        rulebook: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Show only errors and warnings: hide the notes (open points and other advice);
        /// the summary says how many were hidden. The same as --severity warning.
        #[arg(long, short = 'q', conflicts_with = "severity")]
        quiet: bool,
        /// Show only diagnostics of this severity or above (error, warning or note, the
        /// default); the summary says how many were hidden. JSON and SARIF are filtered alike.
        #[arg(long, value_enum, value_name = "LEVEL")]
        severity: Option<ShownSeverity>,
    },
    /// Evaluate a case (JSON facts) against a rulebook as of a date.
    #[command(
        after_help = "Example:\n  zan eval rulebooks/kz-visa rulebooks/kz-visa/examples/c3-work-visa-invitation.json --explain\n  zan eval rulebooks/kz-visa rulebooks/kz-visa/examples/e-visa-tourist.json --as-of 2026-02-21 --format text\n  zan eval rulebooks/kz-visa rulebooks/kz-visa/examples/stay-host-late-notice-repeated.json --format text --explain=full\n\n--explain adds each output's derivation (`zan-explanation/2`, described by\n`zan schema --part explain`): --explain or --explain=path the path to each value,\n--explain=full the whole tree.\nThe evaluation date is --as-of, or the case fact named by the rulebook's `as of`.\nExit codes: 0 decided, 1 rulebook errors or an evaluation error (with --batch: a case not\ndecided), 2 unreadable or invalid case, or output that could not be written; with --batch,\n130 after Ctrl-C (SIGINT) and 143 after SIGTERM."
    )]
    Eval {
        /// The rulebook folder.
        rulebook: PathBuf,
        /// The case: a JSON file with the facts (`-` for standard input). Not with --batch,
        /// --example or --test.
        #[arg(required_unless_present_any = ["batch", "example", "test"])]
        case: Option<PathBuf>,
        /// Decide the rulebook's own `example NAME { … }` instead of a case file.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["case", "batch", "test"])]
        example: Option<String>,
        /// Decide the facts of the rulebook's own `test NAME` on its `as of` date, and say
        /// whether its expectations hold (exit 1 if not).
        #[arg(long, value_name = "NAME", conflicts_with_all = ["case", "batch"])]
        test: Option<String>,
        /// Decide many cases: NDJSON (one case per line) or one JSON array, from FILE or
        /// standard input (`-`, the default); one decision per line, in input order.
        #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-", conflicts_with = "case")]
        batch: Option<PathBuf>,
        /// With --batch: stop at the first case that cannot be decided.
        #[arg(long, requires = "batch")]
        fail_fast: bool,
        /// With --batch: worker threads (default: every core).
        #[arg(long, requires = "batch", value_name = "N")]
        threads: Option<usize>,
        /// With --batch: count the values of this output in the summary (default: the first
        /// of --outputs, else the rulebook's first output).
        #[arg(long, requires = "batch", value_name = "OUTPUT")]
        summary_by: Option<String>,
        /// Evaluate as of this date (YYYY-MM-DD) instead of the case's own date.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Decide only these rules (comma-separated names): outputs, or internal rules to see
        /// their values; the rules they depend on are evaluated, nothing else.
        #[arg(
            long,
            visible_alias = "rules",
            value_name = "NAMES",
            value_delimiter = ','
        )]
        outputs: Vec<String>,
        /// Explain each output: its derivation (the case that gave it, the values, table
        /// rows, parameter values and working days beneath it, why the other cases did not
        /// apply, the cited sentences). `--explain` (or `=path`) the path to each value;
        /// `--explain=full` the whole tree.
        #[arg(
            long,
            value_enum,
            num_args = 0..=1,
            require_equals = true,
            default_missing_value = "path",
            value_name = "DEPTH"
        )]
        explain: Option<ExplainDepth>,
        /// Output format: JSON, or text for people (one decision: with --batch every line is
        /// JSON, and text is refused).
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// Run the tests written in a rulebook.
    #[command(
        after_help = "Example:\n  zan test rulebooks/kz-visa\n  zan test rulebooks/kz-visa --filter fingerprint\n  zan test rulebooks/kz-visa --coverage --min-coverage 100\n  zan test rulebooks/kz-visa --format junit --output zan-tests.xml\n\nA failure is shown at the FILE:LINE of its `expect`, expected against actual, with what the\ntest `checks`; --explain adds the derivation of the actual value.\nCoverage counts the rules the tests evaluate, the cases and exceptions that decide a value,\nthe reasons given, the table rows and parameter values looked up, and the cited provisions\nthat these reach.\nExit codes: 0 all pass, 1 a failing test, coverage below --min-coverage or rulebook errors,\n2 unreadable input."
    )]
    Test {
        /// The rulebook folder.
        rulebook: PathBuf,
        /// Run only the tests whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Report what the tests exercise: rules, cases, exceptions, reasons, table rows,
        /// parameter values and cited provisions, with what no test reaches.
        #[arg(long)]
        coverage: bool,
        /// Fail unless every coverage category reaches this percentage (implies --coverage);
        /// lists what is not covered in the categories below it.
        #[arg(long, value_name = "PERCENT", value_parser = percent)]
        min_coverage: Option<f64>,
        /// With a failing test, show the derivation of each failing expectation's actual
        /// value: the case that gave it, the values it used and their citations.
        #[arg(long)]
        explain: bool,
        /// Output format: text for people, JSON, or JUnit XML for CI dashboards.
        #[arg(long, value_enum, default_value = "text")]
        format: test::TestFormat,
        /// Write the report to this file instead of standard output (written whole or not at
        /// all).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the language server (LSP over standard input and output) for editors.
    #[command(
        after_help = "Editors start it themselves; see editors/README.md for VS Code, Neovim and Helix.\nIt answers diagnostics, hover, go to definition, references, rename, completion,\noutline, workspace symbols, formatting, semantic tokens, folding, inlay hints and quick fixes.\nExit codes: 0 after `shutdown` and `exit`, 1 on `exit` without `shutdown`."
    )]
    Lsp {
        /// Accepted for editors that pass it; the server always speaks over stdio.
        #[arg(long)]
        stdio: bool,
    },
    /// Compare two versions of a rulebook: its declarations and the decisions on cases.
    #[command(
        after_help = "Example:\n  zan diff rulebooks/kz-visa --from 2026-02-21 --to 2026-03-10\n  zan diff rulebooks/kz-visa --from 2026-01-01 --to 2026-03-10 --format markdown\n  zan diff --git HEAD rulebooks/kz-visa --generate 200\n\nVersions: one rulebook on two dates (the consolidated rulebooks in force on them), two\nfolders (`zan diff OLD_FOLDER NEW_FOLDER`), or one folder at two git revisions (BASE..HEAD, BASE...HEAD for the merge base,\nor BASE alone against the working tree).\nStructure: declarations added, removed and changed, in the language's words; layout and\ncomments never count (--comments lists comment changes). Behaviour: the tests, examples,\nexample files and --generate N cases decided by both versions; the cases whose outputs\ndiffer, with the rules and citations behind each output.\nExit codes: 0 no change, 1 changes found, 2 errors (unreadable input, a version that does\nnot check, a bad revision or date)."
    )]
    Diff {
        /// The rulebook folder (with --from/--to or --git), or the old and the new folder.
        #[arg(num_args = 1..=2, required = true, value_name = "RULEBOOK")]
        paths: Vec<PathBuf>,
        /// With one folder: the date of the old version (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "to")]
        from: Option<String>,
        /// With one folder: the date of the new version (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "from")]
        to: Option<String>,
        /// Read both versions from git: BASE..HEAD, BASE...HEAD, or BASE (against the
        /// working tree).
        #[arg(long, value_name = "BASE[..HEAD]", conflicts_with_all = ["from", "to"])]
        git: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: diff::DiffFormat,
        /// Also decide N generated cases that reach the rules' branches.
        #[arg(long, value_name = "N", default_value_t = 0)]
        generate: usize,
        /// Seed of the generated cases (the same seed gives the same cases).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// List the declarations whose comments changed (never counted as a change).
        #[arg(long)]
        comments: bool,
    },
    /// Rewrite .zan files in the canonical layout, or check that they are in it.
    #[command(
        after_help = "Example:\n  zan fmt rulebooks/kz-visa\n  zan fmt --check rulebooks/kz-visa\n  zan fmt - < rulebooks/kz-visa/money.zan > formatted.zan\n\nFolders are searched for .zan files. Only the whitespace between tokens changes, and\nevery comment is kept. --check writes nothing and shows the first differences.\nExit codes: 0 formatted or already formatted, 1 syntax errors (the file is left as it is)\nor, with --check, a file that would change, 2 unreadable input."
    )]
    Fmt {
        /// The .zan files or folders to format; `-` reads standard input and writes the
        /// result to standard output.
        paths: Vec<PathBuf>,
        /// Write nothing: list the files that would change, with their first differences.
        #[arg(long)]
        check: bool,
        /// Format standard input to standard output (the same as `-`).
        #[arg(long)]
        stdin: bool,
    },
    /// Serve rulebooks over HTTP: the decision service (`/v1/...`) and the explorer (`/`).
    #[command(
        after_help = "Example:\n  zan serve rulebooks/kz-visa --addr 127.0.0.1:8080\n\nThe endpoints, limits and metrics are described in docs/serve.md."
    )]
    Serve(serve::ServeArgs),
    /// Write the explorer's pages for a rulebook as a static site (no evaluation).
    #[command(after_help = "Example:\n  zan doc rulebooks/kz-visa --output site/")]
    Doc(doc::DocArgs),
    /// Write the JSON Schema of a rulebook's case facts and of its decisions.
    #[command(
        after_help = "Example:\n  zan schema rulebooks/kz-visa --part case --output case.schema.json\n  zan schema rulebooks/kz-visa --part decision --as-of 2026-03-10\n  zan schema rulebooks/kz-visa --part explain\n\nJSON Schema draft 2020-12. The case schema accepts what `zan eval` accepts as a case; it\nis the same for every version (facts, enums and records are not amended). The decision\nschema describes what `zan eval --format json` prints (with --explain: `zan eval --explain`,\nthe explanation's definitions embedded); its $defs also hold `zan.batch_line`, one line of\n`zan eval --batch`. The explain schema describes the explanation alone\n(`zan-explanation/2`: per output, a derivation tree of nodes discriminated by `kind`).\nOutputs differ between versions: the decision and explain schemas are those of the version\nin force on --as-of, or else of the latest version (in force from the last date on which a\ndeclaration starts or ends). --part all (the default) writes\n{\"case\": ..., \"decision\": ..., \"explanation\": ...}, three standalone schemas.\nExit codes: 0 written, 2 errors (unreadable rulebook, a rulebook with errors, a bad date,\nan unwritable output file)."
    )]
    Schema {
        /// The rulebook folder.
        rulebook: PathBuf,
        /// Describe the decisions of the version in force on this date (YYYY-MM-DD); by
        /// default, the latest version.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Which schema: the case facts, the decision, the explanation, or all three.
        #[arg(long, value_enum, default_value = "all")]
        part: schema::Part,
        /// Describe the decisions of `zan eval --explain`, with their explanation.
        #[arg(long)]
        explain: bool,
        /// Write the schema to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// A percentage for `--min-coverage`: a finite number from 0 to 100 (NaN would make every
/// comparison false, so no coverage could ever fall below it).
fn percent(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Ok(p),
        Ok(_) => Err(format!("{s} is not a percentage from 0 to 100")),
        Err(_) => Err(format!(
            "{s} is not a number; give a percentage from 0 to 100, such as 90"
        )),
    }
}

/// Parse the arguments and run; returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            if e.use_stderr() {
                let _ = e.print();
                return EXIT_USAGE;
            }
            // --help and --version: standard output, which may be full or closed.
            let text = e.render();
            let text = if output::stdout_is_terminal() {
                text.ansi().to_string()
            } else {
                text.to_string()
            };
            let what = match e.kind() {
                clap::error::ErrorKind::DisplayVersion => "the version",
                _ => "the help",
            };
            return output::print(what, &text, EXIT_OK);
        }
    };
    match cli.command {
        Command::Diff {
            paths,
            from,
            to,
            git,
            format,
            generate,
            seed,
            comments,
        } => diff::diff(&diff::Request {
            paths,
            from,
            to,
            git,
            format,
            options: crate::diff::Options {
                generate,
                seed,
                comments,
            },
        }),
        Command::Check {
            rulebook,
            format,
            deny_warnings,
            quiet,
            severity,
        } => {
            let shown = match (quiet, severity) {
                (true, _) => commands::Shown::Quiet,
                (false, Some(s)) => commands::Shown::AtLeast(s),
                (false, None) => commands::Shown::AtLeast(ShownSeverity::Note),
            };
            commands::check(&rulebook, format, deny_warnings, shown)
        }
        Command::Eval {
            rulebook,
            case,
            example,
            test,
            batch,
            fail_fast,
            threads,
            summary_by,
            as_of,
            outputs,
            explain,
            format,
        } => {
            let request = commands::EvalRequest {
                as_of: as_of.as_deref(),
                explain: explain.map(Into::into),
                outputs: &outputs,
            };
            let from = match (&case, &example, &test) {
                (_, Some(name), _) => Some(commands::CaseFrom::Example(name)),
                (_, _, Some(name)) => Some(commands::CaseFrom::Test(name)),
                (Some(path), _, _) => Some(commands::CaseFrom::File(path)),
                _ => None,
            };
            match (from, batch) {
                // A decision for people is a report of many lines; a batch is one line per
                // case, which a program reads.
                (_, Some(_)) if format == Format::Text => {
                    stderr_line!(
                        "error: --batch writes one JSON line per case; --format text is for one decision (`zan eval RULEBOOK CASE --format text`)"
                    );
                    EXIT_USAGE
                }
                (_, Some(input)) => commands::eval_batch(
                    &rulebook,
                    &input,
                    &request,
                    summary_by.as_deref(),
                    fail_fast,
                    threads,
                ),
                (Some(from), None) => commands::eval(&rulebook, from, &request, format),
                (None, None) => {
                    stderr_line!("error: give a case file, or --batch");
                    EXIT_USAGE
                }
            }
        }
        Command::Test {
            rulebook,
            filter,
            coverage,
            min_coverage,
            explain,
            format,
            output,
        } => test::test(&test::Request {
            rulebook: &rulebook,
            filter: filter.as_deref(),
            coverage: (coverage || min_coverage.is_some()).then_some(min_coverage),
            format,
            explain,
            output: output.as_deref(),
        }),
        Command::Lsp { stdio: _ } => match crate::lsp::run() {
            Ok(crate::lsp::Ended::AfterShutdown) => EXIT_OK,
            Ok(crate::lsp::Ended::WithoutShutdown) => EXIT_FAILED,
            Err(e) => {
                stderr_line!("error: cannot start the language server: {e}");
                EXIT_USAGE
            }
        },
        Command::Serve(args) => serve::serve(args),
        Command::Doc(args) => doc::doc(args),
        Command::Schema {
            rulebook,
            as_of,
            part,
            explain,
            output,
        } => schema::schema(&schema::Request {
            rulebook,
            as_of,
            part,
            explain,
            output,
        }),
        Command::Fmt {
            paths,
            check,
            stdin,
        } => fmt::fmt(&paths, check, stdin),
    }
}
