//! `zan lsp`: the language server, over stdio, on `tower-lsp-server` (the maintained
//! continuation of tower-lsp). It keeps the documents (`workspace`), reruns the same pure
//! `parse` and `check` as the CLI through `ide::Analysis`, and converts the `ide` answers to
//! protocol types (`convert`). Every request runs on a blocking thread inside
//! `catch_unwind`, so a bug in one feature answers with an error instead of ending the
//! server. The client's messages pass through `framing`, which answers the malformed ones
//! instead of letting them end the session.

mod commands;
pub mod convert;
mod features;
pub mod format_edits;
pub mod framing;
pub mod line_index;
pub mod markup;
pub mod workspace;

#[cfg(test)]
#[allow(clippy::expect_used, clippy::panic)]
mod tests;

use crate::ide::{self, Analysis};
use crate::source::FileId;
use crate::time::date::{self, Day};
use convert::{path_of, uri_of, FilePositions, Positions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use workspace::{Folder, Workspace};

/// How long diagnostics wait after an edit for the next keystroke before they are computed.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long the server may take to finish after `exit` before the process ends anyway (a
/// request still computing an analysis is not waited for: its answer is not wanted).
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// The capacity of the pipes between the framing layer and `tower-lsp-server`.
const PIPE_BYTES: usize = 64 << 10;

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// `exit` after `shutdown`, as the protocol asks (exit code 0).
    AfterShutdown,
    /// `exit` without `shutdown`, or the input ended (exit code 1).
    WithoutShutdown,
}

/// Run the server on standard input and output until the client sends `exit`; an error when
/// the server cannot start. The caller turns the result into an exit code.
pub fn run() -> std::io::Result<Ended> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(crate::THREAD_STACK_BYTES)
        .enable_all()
        .build();
    let runtime = runtime?;
    let shutdown = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = shutdown.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(|client| Backend::new(client, flag.clone()));
        // The client's messages reach the server through `framing`, which answers the
        // malformed ones; the server's, and those answers, reach stdout through one writer.
        let (to_server, server_in) = tokio::io::duplex(PIPE_BYTES);
        let (server_out, from_server) = tokio::io::duplex(PIPE_BYTES);
        let (out, messages) = tokio::sync::mpsc::channel(64);
        let (exit, exited) = tokio::sync::oneshot::channel();
        let writer = tokio::spawn(framing::write_output(tokio::io::stdout(), messages));
        let output = tokio::spawn(framing::read_output(from_server, out.clone()));
        let session = framing::Session {
            shutdown: flag,
            exit,
        };
        tokio::spawn(framing::read_input(
            tokio::io::stdin(),
            to_server,
            out.clone(),
            session,
        ));
        let serve = Server::new(server_in, server_out, socket).serve(service);
        tokio::select! {
            () = serve => {}
            () = async {
                match exited.await {
                    Ok(()) => tokio::time::sleep(EXIT_GRACE).await,
                    // The input ended without `exit`: the server ends when it has answered.
                    Err(_) => std::future::pending().await,
                }
            } => {}
        }
        // The server is dropped: its output ends; write what it had written, then stop.
        let _ = output.await;
        let _ = out.send(framing::Out::End).await;
        let _ = writer.await;
    });
    // Reading stdin blocks a thread that would keep the process alive while the client
    // keeps the pipe open: do not wait for it.
    runtime.shutdown_background();
    Ok(if shutdown.load(std::sync::atomic::Ordering::SeqCst) {
        Ended::AfterShutdown
    } else {
        Ended::WithoutShutdown
    })
}

struct State {
    workspace: Workspace,
    /// Diagnostics last published per file, so unchanged ones are not sent again and fixed
    /// ones are cleared.
    published: HashMap<PathBuf, Vec<Diagnostic>>,
    /// What the client reads on each surface (markdown or plain text).
    formats: markup::ClientFormats,
    /// Results of the tests and evaluations run from the editor (`commands`).
    runs: commands::Runs,
    /// The client can be asked to refresh its inlay hints and code lenses.
    refresh: (bool, bool),
}

/// The server's state, and the turn to analyse: analyses run one at a time, outside the
/// state's lock (an edit never waits for an analysis, and a request that needs the analysis
/// of texts being analysed waits for it instead of computing it a second time).
struct Shared {
    state: Mutex<State>,
    analysing: Mutex<()>,
}

pub struct Backend {
    client: Client,
    state: Arc<Shared>,
    shutdown: Arc<std::sync::atomic::AtomicBool>,
    /// Held by a debounced diagnostics task from its computation to the end of its
    /// publication, so an older version's diagnostics are never sent after a newer one's.
    publishing: Arc<tokio::sync::Mutex<()>>,
}

/// Run `f`, a panic in it (a bug in one feature) turned into the panic's message, so that
/// the server keeps serving the other requests. The state's locks survive it: `lock` takes a
/// poisoned lock as it is.
fn isolated<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|payload| panic_message(payload.as_ref()))
}

/// The message of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The analysis of the current texts of a folder (picked from the workspace): the one kept,
/// or one computed now, outside the state's lock, and kept.
fn analysis_of(
    shared: &Shared,
    pick: impl Fn(&mut Workspace) -> Option<&mut Folder>,
) -> Option<Arc<Analysis>> {
    let _turn = shared
        .analysing
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let snapshot = {
        let mut s = lock(shared);
        let folder = pick(&mut s.workspace)?;
        if let Some(a) = folder.current_analysis(today()) {
            return Some(a);
        }
        folder.snapshot()
    };
    let analysed = snapshot.analyse(today());
    let a = analysed.analysis.clone();
    if let Some(folder) = pick(&mut lock(shared).workspace) {
        folder.store(analysed);
    }
    Some(a)
}

/// Today's date from the system clock (the core never reads a clock).
fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = date::from_ymd(1970, 1, 1).unwrap_or_default();
    epoch + i32::try_from(secs / 86_400).unwrap_or(0)
}

/// A position in a document: its folder's analysis, the file and the byte offset.
struct At {
    analysis: Arc<Analysis>,
    file: FileId,
    offset: usize,
}

impl Backend {
    fn new(client: Client, shutdown: Arc<std::sync::atomic::AtomicBool>) -> Backend {
        Backend {
            client,
            state: Arc::new(Shared {
                state: Mutex::new(State {
                    workspace: Workspace::default(),
                    published: HashMap::new(),
                    formats: markup::ClientFormats::default(),
                    runs: commands::Runs::default(),
                    refresh: (false, false),
                }),
                analysing: Mutex::new(()),
            }),
            shutdown,
            publishing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Run the handler of `method` on a blocking thread with a panic turned into an internal
    /// error that names the method, so the server keeps serving the other requests.
    async fn blocking<T: Send + 'static>(
        &self,
        method: &'static str,
        f: impl FnOnce(&Shared) -> Option<T> + Send + 'static,
    ) -> Result<Option<T>> {
        let state = self.state.clone();
        let joined = tokio::task::spawn_blocking(move || isolated(|| f(&state))).await;
        let panic = match joined {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(message)) => message,
            Err(e) => e.to_string(),
        };
        Err(Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
            message: format!("internal error in {method}: {panic}").into(),
            data: None,
        })
    }

    /// Analyse the folder of `uri` (if needed) and locate `position` in it.
    fn at(state: &Shared, uri: &Uri, position: Option<Position>) -> Option<At> {
        let path = path_of(uri)?;
        let analysis = analysis_of(state, |w| w.find(&path))?;
        let file = analysis.file_named(&crate::load::display(&path))?;
        let offset = position.map_or(0, |p| FilePositions::new(&analysis, file).offset(p));
        Some(At {
            analysis,
            file,
            offset,
        })
    }

    /// After a command: publish the diagnostics it changed, ask the client to show the new
    /// hints and lenses (not awaited: a client that does not answer must not hold the
    /// command's answer), and answer.
    async fn after_command(&self, done: commands::Done) -> LSPAny {
        for (uri, diags, version) in done.publish {
            self.client.publish_diagnostics(uri, diags, version).await;
        }
        let (hints, lenses) = lock(&self.state).refresh;
        let client = self.client.clone();
        tokio::spawn(async move {
            if hints {
                let _ = client.inlay_hint_refresh().await;
            }
            if lenses {
                let _ = client.code_lens_refresh().await;
            }
        });
        done.answer
    }

    /// After an edit: wait for the typing to pause, then publish the folder's diagnostics.
    fn schedule_diagnostics(&self, path: PathBuf) {
        let generation = {
            let mut s = lock(&self.state);
            s.workspace.find(&path).map(|f| f.generation)
        };
        let Some(generation) = generation else {
            return;
        };
        let state = self.state.clone();
        let client = self.client.clone();
        let publishing = self.publishing.clone();
        tokio::spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            let _turn = publishing.lock().await;
            let computed = tokio::task::spawn_blocking(move || {
                isolated(|| folder_diagnostics(&state, &path, generation))
                    .ok()
                    .flatten()
            })
            .await
            .ok()
            .flatten();
            for (uri, diags, version) in computed.unwrap_or_default() {
                client.publish_diagnostics(uri, diags, version).await;
            }
        });
    }
}

/// One file's diagnostics to publish, with the document version they are for (none for a
/// file that is not open).
type Publication = (Uri, Vec<Diagnostic>, Option<i32>);

/// The diagnostics of every file of the folder of `path` that changed since they were last
/// published, if the folder is still at `generation` (a newer edit publishes its own): before
/// the analysis, and after it, so the result of an analysis made stale by an edit that came
/// while it ran is dropped.
fn folder_diagnostics(shared: &Shared, path: &Path, generation: u64) -> Option<Vec<Publication>> {
    /// The analysis kept for the current texts, or the texts to analyse.
    enum Start {
        Kept(Arc<Analysis>, Vec<(PathBuf, Option<i32>)>),
        Analyse(workspace::Snapshot),
    }
    let turn = shared
        .analysing
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let start = {
        let mut s = lock(shared);
        let folder = s.workspace.find(path)?;
        if folder.generation != generation {
            return None;
        }
        match folder.current_analysis(today()) {
            Some(a) => Start::Kept(
                a,
                folder
                    .paths()
                    .map(|p| (p.clone(), folder.version(p)))
                    .collect(),
            ),
            None => Start::Analyse(folder.snapshot()),
        }
    };
    let (analysis, versions) = match start {
        Start::Kept(a, versions) => (a, versions),
        Start::Analyse(snapshot) => {
            // Given up as soon as a newer edit comes: that edit schedules its own analysis.
            let analysed = snapshot.analyse_unless_stale(today())?;
            let kept = (analysed.analysis.clone(), analysed.versions.clone());
            let mut s = lock(shared);
            let folder = s.workspace.find(path)?;
            let stale = folder.generation != analysed.generation;
            folder.store(analysed);
            if stale {
                return None;
            }
            kept
        }
    };
    drop(turn);
    let mut by_file: HashMap<FileId, Vec<&crate::diagnostics::Diagnostic>> = HashMap::new();
    for d in &analysis.checked.diagnostics {
        by_file.entry(d.primary.span.file).or_default().push(d);
    }
    let mut pos = Positions::new(&analysis);
    let converted: Vec<(PathBuf, Option<i32>, Vec<Diagnostic>)> = versions
        .into_iter()
        .filter_map(|(p, version)| {
            let file = analysis.file_named(&crate::load::display(&p))?;
            let diags = by_file
                .get(&file)
                .map(|ds| {
                    ds.iter()
                        .map(|d| convert::diagnostic(&mut pos, d))
                        .collect()
                })
                .unwrap_or_default();
            Some((p, version, diags))
        })
        .collect();
    let mut out = Vec::new();
    let mut s = lock(shared);
    for (p, version, mut diags) in converted {
        let generation = s.workspace.find(&p).map(|f| f.generation);
        diags.extend(s.runs.diagnostics(&p, generation));
        // The edited file always gets its diagnostics (the editor waits for them); the
        // others only when theirs changed.
        if p != path && s.published.get(&p) == Some(&diags) {
            continue;
        }
        s.published.insert(p.clone(), diags.clone());
        if let Some(uri) = uri_of(&p) {
            out.push((uri, diags, version));
        }
    }
    Some(out)
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![
                ".".into(),
                " ".into(),
                "[".into(),
                "\"".into(),
                ",".into(),
            ]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: commands::names(),
            work_done_progress_options: Default::default(),
        }),
        document_highlight_provider: Some(OneOf::Left(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            retrigger_characters: Some(vec![" ".into()]),
            work_done_progress_options: Default::default(),
        }),
        call_hierarchy_provider: Some(CallHierarchyServerCapability::Simple(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: ide::TOKEN_KINDS
                        .iter()
                        .map(|t| SemanticTokenType::new(t))
                        .collect(),
                    token_modifiers: vec![SemanticTokenModifier::DOCUMENTATION],
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

fn range_of(a: &Analysis, span: crate::source::Span) -> Range {
    FilePositions::new(a, span.file).span_range(span)
}

fn edits_by_uri(a: &Analysis, edits: &[ide::Edit]) -> HashMap<Uri, Vec<TextEdit>> {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut pos = Positions::new(a);
    for e in edits {
        let Some(loc) = pos.location(e.span) else {
            continue;
        };
        changes.entry(loc.uri).or_default().push(TextEdit {
            range: loc.range,
            new_text: e.text.clone(),
        });
    }
    changes
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let formats = markup::ClientFormats::of(&params.capabilities);
        let refresh = commands::refresh_support(&params.capabilities);
        let mut s = lock(&self.state);
        s.formats = formats;
        s.refresh = refresh;
        drop(s);
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "zan".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        {
            let mut s = lock(&self.state);
            let folder = s.workspace.folder_for(&path);
            folder.set_text(&path, params.text_document.text, true);
            folder.set_version(&path, params.text_document.version);
        }
        self.schedule_diagnostics(path);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        {
            let mut s = lock(&self.state);
            let folder = s.workspace.folder_for(&path);
            folder.edit(&path, |text| {
                for change in params.content_changes {
                    apply_change(text, change);
                }
            });
            folder.set_version(&path, params.text_document.version);
        }
        self.schedule_diagnostics(path);
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        {
            let mut s = lock(&self.state);
            if let Some(f) = s.workspace.find(&path) {
                f.close(&path);
            }
        }
        self.schedule_diagnostics(path);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = path_of(&change.uri) else {
                continue;
            };
            let known = {
                let mut s = lock(&self.state);
                match s.workspace.find(&path) {
                    Some(f) => {
                        f.reload(&path);
                        true
                    }
                    None => false,
                }
            };
            if known {
                self.schedule_diagnostics(path);
            }
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.blocking("textDocument/hover", move |state| {
            let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
            let format = lock(state).formats.hover;
            let (span, text) = ide::hover(&at.analysis, at.file, at.offset as u32)?;
            Some(Hover {
                contents: HoverContents::Markup(markup::markup(format, &text)),
                range: Some(range_of(&at.analysis, span)),
            })
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.blocking("textDocument/definition", move |state| {
            let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
            let a = &at.analysis;
            let mut pos = Positions::new(a);
            let locations: Vec<Location> = ide::definition(a, at.file, at.offset as u32)
                .into_iter()
                .filter_map(|t| match t {
                    ide::Target::Span(s) => pos.location(s),
                    ide::Target::LegalText { name, start, end } => {
                        let text = a.map.legal_texts().iter().find(|t| t.name == name)?;
                        let pos = FilePositions::of_text(&text.text);
                        Some(Location {
                            uri: uri_of(Path::new(&name))?,
                            range: pos.range(start, end),
                        })
                    }
                })
                .collect();
            (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        self.blocking("textDocument/references", move |state| {
            let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
            let spans = ide::references(&at.analysis, at.file, at.offset as u32, include);
            let mut pos = Positions::new(&at.analysis);
            Some(spans.into_iter().filter_map(|s| pos.location(s)).collect())
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.blocking("textDocument/prepareRename", move |state| {
            let at = Backend::at(state, &params.text_document.uri, Some(params.position))?;
            let span = ide::prepare_rename(&at.analysis, at.file, at.offset as u32)?;
            Some(PrepareRenameResponse::Range(range_of(&at.analysis, span)))
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let result = self
            .blocking("textDocument/rename", move |state| {
                let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
                Some(
                    ide::rename(&at.analysis, at.file, at.offset as u32, &new_name)
                        .map(|edits| edits_by_uri(&at.analysis, &edits)),
                )
            })
            .await?;
        match result {
            None => Ok(None),
            Some(Ok(changes)) => Ok(Some(WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            })),
            Some(Err(e)) => Err(Error::invalid_params(e.to_string())),
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.blocking("textDocument/completion", move |state| {
            let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
            let format = lock(state).formats.completion;
            let pos = FilePositions::new(&at.analysis, at.file);
            let items = ide::complete(&at.analysis, at.file, at.offset)
                .into_iter()
                .map(|c| convert::completion_item(&pos, format, c))
                .collect();
            Some(CompletionResponse::Array(items))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.blocking("textDocument/documentSymbol", move |state| {
            let at = Backend::at(state, &params.text_document.uri, None)?;
            let pos = FilePositions::new(&at.analysis, at.file);
            let symbols = ide::document_symbols(&at.analysis, at.file)
                .iter()
                .map(|o| document_symbol(&pos, o))
                .collect();
            Some(DocumentSymbolResponse::Nested(symbols))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.blocking("workspace/symbol", move |state| {
            let folders = lock(state).workspace.folders.len();
            let analyses: Vec<Arc<Analysis>> = (0..folders)
                .filter_map(|i| analysis_of(state, |w| w.folders.get_mut(i)))
                .collect();
            let mut out = Vec::new();
            for a in &analyses {
                let mut pos = Positions::new(a);
                for o in ide::workspace_symbols(a, &params.query) {
                    let Some(location) = pos.location(o.name_span) else {
                        continue;
                    };
                    #[allow(deprecated)]
                    out.push(SymbolInformation {
                        name: o.name,
                        kind: convert::symbol_kind(o.what),
                        tags: None,
                        deprecated: None,
                        location,
                        container_name: Some(o.container),
                    });
                }
            }
            Some(WorkspaceSymbolResponse::Flat(out))
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.blocking("textDocument/formatting", move |state| {
            let at = Backend::at(state, &params.text_document.uri, None)?;
            let text = at.analysis.text(at.file);
            let formatted = format_source(text)?;
            if formatted == text {
                return Some(Vec::new());
            }
            let pos = FilePositions::new(&at.analysis, at.file);
            let edits = format_edits::minimal_edits(text, &formatted);
            Some(
                edits
                    .into_iter()
                    .map(|(bytes, new_text)| TextEdit {
                        range: pos.range(bytes.start, bytes.end),
                        new_text,
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.blocking("textDocument/semanticTokens/full", move |state| {
            let at = Backend::at(state, &params.text_document.uri, None)?;
            let pos = FilePositions::new(&at.analysis, at.file);
            let tokens = ide::semantic_tokens(&at.analysis, at.file);
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data: convert::semantic_tokens(&pos, &tokens),
            }))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.blocking("textDocument/foldingRange", move |state| {
            let at = Backend::at(state, &params.text_document.uri, None)?;
            let pos = FilePositions::new(&at.analysis, at.file);
            let folds = ide::folding_ranges(&at.analysis, at.file)
                .into_iter()
                .filter_map(|f| {
                    let (a, b) = (pos.position(f.start), pos.position(f.end));
                    (b.line > a.line).then(|| FoldingRange {
                        start_line: a.line,
                        end_line: b.line,
                        kind: Some(match f.kind {
                            ide::FoldKind::Comment => FoldingRangeKind::Comment,
                            ide::FoldKind::Region => FoldingRangeKind::Region,
                        }),
                        ..Default::default()
                    })
                })
                .collect();
            Some(folds)
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.blocking("textDocument/inlayHint", move |state| {
            let at = Backend::at(state, &params.text_document.uri, None)?;
            let pos = FilePositions::new(&at.analysis, at.file);
            let (from, to) = (pos.offset(params.range.start), pos.offset(params.range.end));
            let hints = ide::inlay_hints(&at.analysis, at.file)
                .into_iter()
                .filter(|h| from <= h.offset && h.offset <= to)
                .map(|h| InlayHint {
                    position: pos.position(h.offset),
                    label: InlayHintLabel::String(h.label),
                    kind: None,
                    text_edits: None,
                    tooltip: h.tooltip.map(InlayHintTooltip::String),
                    padding_left: Some(false),
                    padding_right: Some(false),
                    data: None,
                })
                .collect::<Vec<_>>();
            Some(commands::with_run_hints(
                state,
                &params.text_document.uri,
                hints,
                params.range,
            ))
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.blocking("textDocument/codeLens", move |state| {
            commands::code_lenses(state, &params.text_document.uri)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let done = self
            .blocking("workspace/executeCommand", move |state| {
                Some(commands::execute(state, &params.command, &params.arguments))
            })
            .await?;
        match done {
            Some(Ok(done)) => Ok(Some(self.after_command(done).await)),
            Some(Err(message)) => Err(Error::invalid_params(message)),
            None => Ok(None),
        }
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.blocking("textDocument/documentHighlight", move |state| {
            features::highlights(state, p)
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let p = params.text_document_position_params;
        self.blocking("textDocument/signatureHelp", move |state| {
            let format = lock(state).formats.signature_help;
            features::signature_help(state, p, format)
        })
        .await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        let p = params.text_document_position_params;
        self.blocking("textDocument/prepareCallHierarchy", move |state| {
            features::prepare_calls(state, p)
        })
        .await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        self.blocking("callHierarchy/incomingCalls", move |state| {
            features::incoming_calls(state, &params.item)
        })
        .await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        self.blocking("callHierarchy/outgoingCalls", move |state| {
            features::outgoing_calls(state, &params.item)
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.blocking("textDocument/documentLink", move |state| {
            features::links(state, &params.text_document.uri)
        })
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        self.blocking("textDocument/selectionRange", move |state| {
            features::selection_ranges(state, &params.text_document.uri, params.positions)
        })
        .await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.blocking("textDocument/rangeFormatting", move |state| {
            features::range_formatting(state, &params.text_document.uri, params.range)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.blocking("textDocument/codeAction", move |state| {
            let at = Backend::at(state, &params.text_document.uri, None)?;
            let a = &at.analysis;
            let mut pos = Positions::new(a);
            let file = pos.of(at.file);
            let (from, to) = (
                file.offset(params.range.start),
                file.offset(params.range.end),
            );
            let actions = ide::code_actions(a, at.file, from as u32, to as u32)
                .into_iter()
                .map(|action| {
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: action.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: action
                            .fixes
                            .map(|d| vec![convert::diagnostic(&mut pos, &d)]),
                        edit: Some(WorkspaceEdit {
                            changes: Some(edits_by_uri(a, &action.edits)),
                            ..Default::default()
                        }),
                        is_preferred: Some(action.preferred),
                        ..Default::default()
                    })
                })
                .collect();
            Some(actions)
        })
        .await
    }
}

#[allow(deprecated)]
fn document_symbol(pos: &FilePositions, o: &ide::Outline) -> DocumentSymbol {
    DocumentSymbol {
        name: o.name.clone(),
        detail: (!o.detail.is_empty()).then(|| o.detail.clone()),
        kind: convert::symbol_kind(o.what),
        tags: None,
        deprecated: None,
        range: pos.span_range(o.span.to(o.name_span)),
        selection_range: pos.span_range(o.name_span),
        children: (!o.children.is_empty())
            .then(|| o.children.iter().map(|c| document_symbol(pos, c)).collect()),
    }
}

/// The canonical layout (`zan fmt`); `None` while the text has syntax errors.
fn format_source(text: &str) -> Option<String> {
    crate::fmt::format_source(text).ok()
}

/// Apply one content change (a range edit, or the whole text) to a document's text. Public for
/// the `lsp_document` fuzz target, which replays edits the way the server applies them.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let pos = FilePositions::of_text(text);
            let start = pos.offset(range.start);
            let end = pos.offset(range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}
