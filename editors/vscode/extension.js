// The client side of `mutual lsp`: starts the language server over stdio for
// documents of language `plan`, and restarts it when `mutual.path` changes.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The program to run: the `mutual.path` setting, `mutual` by default. */
function program() {
  return vscode.workspace.getConfiguration("mutual").get("path") || "mutual";
}

async function start() {
  const command = program();
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  const options = { documentSelector: [{ language: "plan" }] };
  client = new LanguageClient("mutual", "mutual lsp", server, options);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    vscode.window.showErrorMessage(
      `Could not start \`${command} lsp\` (${error.message}). ` +
        "Put `mutual` on the PATH, or set `mutual.path` to the program."
    );
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("mutual.path")) {
        await stop();
        await start();
      }
    }),
    { dispose: stop }
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
