// Tokenizes every .zan file under rulebooks/ and tests/data/ of the repository (but the
// deliberate syntax errors of tests/data/check/err) with the TextMate grammar, and checks that
// each top-level declaration (a line starting at column 0 with a declaration keyword) is
// tokenized as at the start of a file: a brace, string or open-point region that runs away
// would show here. Run by `npm test`; exits with status 1 on a failure.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const extensionDir = path.join(__dirname, '..');
const repo = path.join(extensionDir, '..', '..');
const grammarPath = path.join(extensionDir, 'syntaxes', 'zan.tmLanguage.json');
const DECLARATION = /^(output |rule |enum |record |fact |parameter |table |calendar |exception |reasons |amendment |example |test |source |rulebook )/;

function zanFiles(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) zanFiles(full, out);
    else if (entry.name.endsWith('.zan')) out.push(full);
  }
  return out;
}

async function main() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  const grammar = await registry.loadGrammar('source.zan');
  // tests/data/check/err holds deliberate syntax errors (unclosed brackets): left out.
  const files = [
    ...zanFiles(path.join(repo, 'rulebooks'), []),
    ...zanFiles(path.join(repo, 'tests', 'data'), []),
  ]
    .filter((f) => !f.split(path.sep).join('/').includes('/check/err/'))
    .sort();
  let declarations = 0;
  const failures = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    let stack = vsctm.INITIAL;
    lines.forEach((line, i) => {
      const result = grammar.tokenizeLine(line, stack);
      if (DECLARATION.test(line)) {
        declarations++;
        const scopes = result.tokens[0].scopes;
        // The line must tokenize as it does at the start of a file: same state after it (no
        // enclosing region left open above it), and the keyword is a storage.* scope directly
        // under source.zan.
        const fresh = grammar.tokenizeLine(line, vsctm.INITIAL);
        const where = `${path.relative(repo, file)}:${i + 1}`;
        if (!result.ruleStack.equals(fresh.ruleStack)) {
          failures.push(`${where}: declaration inside a region left open above it`);
        } else if (scopes.length !== 2 || !scopes[1].startsWith('storage.')) {
          failures.push(`${where}: declaration keyword scoped ${scopes.slice(1).join(' ')}`);
        }
      }
      stack = result.ruleStack;
    });
  }
  for (const f of failures.slice(0, 20)) console.log(`✖ ${f}`);
  if (files.length === 0) {
    console.log('✖ no .zan files found under rulebooks/ or tests/data/');
    process.exit(1);
  }
  if (failures.length > 0) {
    console.log(`✖ ${failures.length} of ${declarations} declarations start inside an unclosed region`);
    process.exit(1);
  }
  console.log(`✓ rulebooks: ${declarations} declarations in ${files.length} files start at the top level`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
