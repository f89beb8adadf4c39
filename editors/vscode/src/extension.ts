// The zan extension: starts `zan lsp` over stdio for .zan files.
//
// Settings (see package.json):
//   zan.server.path  the zan executable (default `zan`, looked up on PATH)
//   zan.server.args  arguments that start the server (default ["lsp"])
//   zan.server.env   extra environment variables for the server process
//   zan.trace.server off | messages | verbose (read by vscode-languageclient itself)

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

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME);
  traceChannel = vscode.window.createOutputChannel(`${CLIENT_NAME} Trace`);
  // Tells the server about .zan files created, changed or deleted outside the editor.
  fileWatcher = vscode.workspace.createFileSystemWatcher('**/*.zan');
  context.subscriptions.push(outputChannel, traceChannel, fileWatcher);

  context.subscriptions.push(
    vscode.commands.registerCommand('zan.restartServer', async () => {
      outputChannel.appendLine('[client] restarting the language server');
      await stopClient();
      await startClient();
    }),
    vscode.commands.registerCommand('zan.showOutput', () => outputChannel.show(true)),
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
