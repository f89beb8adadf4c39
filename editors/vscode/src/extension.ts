// The zan extension: starts `zan lsp` over stdio for .zan files.
//
// Settings (see package.json):
//   zan.server.path  the zan executable (default `zan`, looked up on PATH)
//   zan.server.args  arguments that start the server (default ["lsp"])
//   zan.server.env   extra environment variables for the server process
//   zan.trace.server off | messages | verbose (read by vscode-languageclient itself)
//
// Running the law: the server's code lenses ("▶ Run test", "▶ Evaluate", "▶ Evaluate on …",
// "Evaluate on example…") run its commands (zan.runTests, zan.evaluate) through
// workspace/executeCommand; the middleware below shows their results: test verdicts in the
// status bar and the "zan Results" channel (failing `expect`s also come back as diagnostics and
// inlay hints), decisions and derivations (zan.explain) in read-only `zan-result:` documents,
// and asks which example when a lens leaves it to the user.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const CLIENT_ID = 'zan';
const CLIENT_NAME = 'zan Language Server';

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel;
let traceChannel: vscode.OutputChannel;
let fileWatcher: vscode.FileSystemWatcher;
let resultsChannel: vscode.OutputChannel;

// The texts of the read-only result documents, by URI.
const RESULT_SCHEME = 'zan-result';
const results = new Map<string, string>();
const resultsChanged = new vscode.EventEmitter<vscode.Uri>();
let resultCount = 0;

async function showResult(title: string, text: string): Promise<void> {
  resultCount += 1;
  const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${resultCount}/${title}.txt` });
  results.set(uri.toString(), text);
  resultsChanged.fire(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

interface TestsRun {
  passed: number;
  failed: number;
  tests: { name: string; passed: boolean; expectations: { rule: string; passed: boolean; expected: string; actual: string }[] }[];
}

function reportTests(run: TestsRun): void {
  resultsChannel.appendLine(`${run.passed} passed, ${run.failed} failed`);
  for (const t of run.tests) {
    resultsChannel.appendLine(`${t.passed ? '✓' : '✗'} ${t.name}`);
    for (const e of t.expectations.filter((x) => !x.passed)) {
      resultsChannel.appendLine(`    ${e.rule}: expected ${e.expected}, got ${e.actual}`);
    }
  }
  const message = `zan: ${run.passed} passed, ${run.failed} failed`;
  if (run.failed > 0) {
    resultsChannel.show(true);
    void vscode.window.showWarningMessage(message);
  } else {
    vscode.window.setStatusBarMessage(message, 5000);
  }
}

// The argument object of a server command (`{uri, test?, example?, rules?}`).
type CommandArgument = { [key: string]: unknown };

async function runCommand(
  command: string,
  args: unknown[],
  next: (command: string, args: unknown[]) => vscode.ProviderResult<unknown>,
): Promise<unknown> {
  let result = (await next(command, args)) as { [key: string]: unknown } | undefined;
  if (result === undefined || result === null) {
    return result;
  }
  if (command === 'zan.evaluate' && Array.isArray(result.pick)) {
    const example = await vscode.window.showQuickPick(result.pick as string[], {
      placeHolder: 'Evaluate on which example?',
    });
    if (example === undefined) {
      return undefined;
    }
    const argument = { ...((args[0] as CommandArgument) ?? {}), example };
    result = (await next(command, [argument])) as { [key: string]: unknown } | undefined;
    if (result === undefined || result === null) {
      return result;
    }
  }
  if (command === 'zan.runTests') {
    reportTests(result as unknown as TestsRun);
  } else if (command === 'zan.evaluate') {
    await showResult(`decision of ${String(result.example)}`, String(result.text ?? ''));
  } else if (command === 'zan.explain') {
    await showResult(String(result.title ?? 'derivation'), String(result.text ?? ''));
  }
  return result;
}

/// Palette commands: the same server commands on the active .zan file.
function activeZanUri(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor && editor.document.languageId === 'zan' ? editor.document.uri.toString() : undefined;
}

async function askAndRun(command: string, argument: (uri: string) => Promise<CommandArgument | undefined>): Promise<void> {
  const uri = activeZanUri();
  if (uri === undefined) {
    void vscode.window.showInformationMessage('zan: open a .zan file of the rulebook first');
    return;
  }
  const a = await argument(uri);
  if (a !== undefined) {
    await vscode.commands.executeCommand(command, a);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME);
  traceChannel = vscode.window.createOutputChannel(`${CLIENT_NAME} Trace`);
  resultsChannel = vscode.window.createOutputChannel('zan Results');
  // Tells the server about .zan files created, changed or deleted outside the editor.
  fileWatcher = vscode.workspace.createFileSystemWatcher('**/*.zan');
  context.subscriptions.push(outputChannel, traceChannel, resultsChannel, fileWatcher, resultsChanged);

  context.subscriptions.push(
    vscode.commands.registerCommand('zan.restartServer', async () => {
      outputChannel.appendLine('[client] restarting the language server');
      await stopClient();
      await startClient();
    }),
    vscode.commands.registerCommand('zan.showOutput', () => outputChannel.show(true)),
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, {
      onDidChange: resultsChanged.event,
      provideTextDocumentContent: (uri) => results.get(uri.toString()) ?? '',
    }),
    vscode.commands.registerCommand('zan.runFileTests', () =>
      askAndRun('zan.runTests', async (uri) => ({ uri })),
    ),
    vscode.commands.registerCommand('zan.evaluateExample', () =>
      askAndRun('zan.evaluate', async (uri) => ({ uri })),
    ),
    vscode.commands.registerCommand('zan.explainExample', () =>
      askAndRun('zan.explain', async (uri) => {
        const example = await vscode.window.showInputBox({ prompt: 'Explain the decision of which example?' });
        return example ? { uri, example } : undefined;
      }),
    ),
    vscode.commands.registerCommand('zan.explainTest', () =>
      askAndRun('zan.explain', async (uri) => {
        const test = await vscode.window.showInputBox({ prompt: 'Explain the case of which test?' });
        return test ? { uri, test } : undefined;
      }),
    ),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('zan.server')) {
        const choice = await vscode.window.showInformationMessage(
          'The zan language server settings changed. Restart the server?',
          'Restart',
        );
        if (choice === 'Restart') {
          await vscode.commands.executeCommand('zan.restartServer');
        }
      }
    }),
  );

  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(): Promise<void> {
  const config = vscode.workspace.getConfiguration('zan');
  const configured = (config.get<string>('server.path') || 'zan').trim() || 'zan';
  const args = config.get<string[]>('server.args') ?? ['lsp'];
  const extraEnv = config.get<Record<string, string>>('server.env') ?? {};

  const command = resolveCommand(configured);
  if (command === undefined) {
    outputChannel.appendLine(
      `[client] cannot find the zan executable "${configured}" (zan.server.path); PATH=${process.env.PATH ?? ''}`,
    );
    const choice = await vscode.window.showErrorMessage(
      `zan: cannot find the language server executable "${configured}". ` +
        'Install zan (cargo install --path . in the zan repository) or set "zan.server.path".',
      'Open Settings',
      'Show Output',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'zan.server');
    } else if (choice === 'Show Output') {
      outputChannel.show(true);
    }
    return;
  }

  const executable: Executable = {
    command,
    args,
    options: { env: { ...process.env, ...extraEnv } },
  };
  const serverOptions: ServerOptions = { run: executable, debug: executable };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'zan' }],
    synchronize: { fileEvents: fileWatcher },
    outputChannel,
    traceOutputChannel: traceChannel,
    middleware: {
      executeCommand: (command, args, next) => runCommand(command, args, next),
    },
  };

  outputChannel.appendLine(`[client] starting: ${command} ${args.join(' ')}`);
  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    if (event.newState === State.Stopped) {
      outputChannel.appendLine('[client] the language server stopped');
    }
  });
  try {
    await client.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outputChannel.appendLine(`[client] failed to start the language server: ${message}`);
    void vscode.window.showErrorMessage(
      `zan: the language server failed to start (${message}). Does "${command} ${args.join(' ')}" work in a terminal?`,
    );
  }
}

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (current === undefined) {
    return;
  }
  try {
    if (current.isRunning()) {
      await current.stop();
    }
  } catch (error) {
    outputChannel.appendLine(`[client] error while stopping: ${String(error)}`);
  }
  await current.dispose().then(undefined, () => undefined);
}

/// The executable to start: `~` expanded; a path with a separator resolved against the first
/// workspace folder when relative; a bare name looked up on PATH. Undefined when not found.
function resolveCommand(configured: string): string | undefined {
  let candidate = configured;
  if (candidate === '~' || candidate.startsWith('~/') || candidate.startsWith('~\\')) {
    candidate = path.join(os.homedir(), candidate.slice(1));
  }
  const hasSeparator = candidate.includes('/') || candidate.includes('\\');
  if (hasSeparator) {
    if (!path.isAbsolute(candidate)) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      candidate = folder ? path.join(folder.uri.fsPath, candidate) : path.resolve(candidate);
    }
    return isExecutable(candidate) ? candidate : undefined;
  }
  return findOnPath(candidate);
}

function findOnPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d.length > 0);
  const extensions =
    process.platform === 'win32'
      ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')]
      : [''];
  for (const dir of dirs) {
    for (const ext of extensions) {
      const full = path.join(dir, name + ext);
      if (isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
