// The ballot meter's script is committed built (public/budget-ballot.js), so that an install
// needs no bundler: this fails when the committed file is not what client/budget-ballot.ts
// gives. Rebuild with the command at the top of client/budget-ballot.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '../../../..');

test('public/budget-ballot.js is the build of client/budget-ballot.ts', async () => {
  const result = await build({
    entryPoints: [path.join(root, 'client/budget-ballot.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome58', 'safari11', 'firefox60'],
    legalComments: 'none',
    banner: { js: '/* Twiza: built from client/budget-ballot.ts; do not edit. */' },
    write: false,
    logLevel: 'silent',
  });
  const built = result.outputFiles[0]!.text;
  assert.equal(fs.readFileSync(path.join(root, 'public/budget-ballot.js'), 'utf8'), built);
  // Texts are set with textContent: nothing from the page is ever parsed as HTML.
  assert.doesNotMatch(built, /innerHTML|insertAdjacentHTML|outerHTML|eval\(/);
});
