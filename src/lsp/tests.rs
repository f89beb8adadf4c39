//! The isolation of the handlers, in process: a panicking feature answers with an internal
//! error, and the server, its state and the other features go on. The panics are made here
//! (nothing in the released server can be told to panic) and kept off the test's output.

use super::*;
use std::sync::atomic::AtomicBool;

/// What the panics of these tests say: the panic hook keeps such messages quiet.
const INTENDED: &str = "intended panic of an isolation test";

/// Keep the panics whose message holds `INTENDED` quiet. The hook is the process's, shared by
/// the tests running meanwhile: it is installed once and left in place (a test that put the
/// previous one back could take it from under another), and any other panic is shown by the
/// previous hook as before.
fn quiet_intended_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let shown = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panic_message(info.payload()).contains(INTENDED) {
                shown(info);
            }
        }));
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

const MONEY: &str = "rulebook r { title \"t\" }\nfact mci: money\n";

#[test]
fn a_panicking_handler_answers_with_an_error_and_the_server_keeps_serving() {
    let (service, _socket) =
        LspService::new(|client| Backend::new(client, Arc::new(AtomicBool::new(false))));
    let backend = service.inner();
    // A file alone (its folder does not exist, so nothing else is read).
    let dir = std::env::temp_dir().join(format!("zan-lsp-isolation-{}", std::process::id()));
    let path = dir.join("money.zan");
    let uri = uri_of(&path).expect("a file URI");
    let document = TextDocumentIdentifier { uri: uri.clone() };
    quiet_intended_panics();
    runtime().block_on(async {
        backend
            .did_open(DidOpenTextDocumentParams {
                text_document: TextDocumentItem::new(uri.clone(), "zan".into(), 1, MONEY.into()),
            })
            .await;
        for _ in 0..2 {
            // The feature panics while it holds the state's lock.
            let answer: Result<Option<()>> = backend
                .blocking("textDocument/hover", |state| {
                    let _held = lock(state);
                    std::panic::panic_any(format!("{INTENDED} (hover)"))
                })
                .await;
            let error = answer.expect_err("an error answer");
            assert_eq!(
                error.code,
                tower_lsp_server::jsonrpc::ErrorCode::InternalError
            );
            assert!(
                error.message.contains("textDocument/hover"),
                "{}",
                error.message
            );
            assert!(error.message.contains(INTENDED), "{}", error.message);
            // The other features answer, from the same state.
            let symbols = backend
                .document_symbol(DocumentSymbolParams {
                    text_document: document.clone(),
                    work_done_progress_params: Default::default(),
                    partial_result_params: Default::default(),
                })
                .await
                .expect("an answer");
            let Some(DocumentSymbolResponse::Nested(symbols)) = symbols else {
                panic!("no symbols: {symbols:?}");
            };
            assert!(symbols.iter().any(|s| s.name == "mci"), "{symbols:?}");
        }
    });
}

#[test]
fn a_panic_while_computing_diagnostics_is_contained() {
    let shared = Shared {
        state: Mutex::new(State {
            workspace: Workspace::default(),
            published: HashMap::new(),
            formats: super::markup::ClientFormats::default(),
            runs: super::commands::Runs::default(),
            refresh: (false, false),
        }),
        analysing: Mutex::new(()),
    };
    quiet_intended_panics();
    let computed: std::result::Result<Option<Vec<Publication>>, String> = isolated(|| {
        let _turn = shared.analysing.lock();
        let _held = lock(&shared);
        std::panic::panic_any(format!("{INTENDED} (diagnostics)"))
    });
    let message = computed.expect_err("the panic is caught");
    assert!(message.contains(INTENDED), "{message}");
    // Both locks are usable after it: the next computation runs.
    let path = std::env::temp_dir().join("zan-lsp-isolation-none/x.zan");
    assert_eq!(isolated(|| folder_diagnostics(&shared, &path, 0)), Ok(None));
}
