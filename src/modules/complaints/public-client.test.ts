// The public map's script is committed built (public/complaints-map.js), so that an install
// needs no bundler: this fails when the committed file is not what client/complaints-map.ts
// gives. Rebuild with the command at the top of client/complaints-map.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '../../..');

test('public/complaints-map.js is the build of client/complaints-map.ts', async () => {
  const result = await build({
    entryPoints: [path.join(root, 'client/complaints-map.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome58', 'safari11', 'firefox60'],
    legalComments: 'none',
    banner: { js: '/* Twiza: built from client/complaints-map.ts; do not edit. */' },
    write: false,
    logLevel: 'silent',
  });
  const built = result.outputFiles[0]!.text;
  assert.equal(fs.readFileSync(path.join(root, 'public/complaints-map.js'), 'utf8'), built);
  // Popups are built with textContent: no HTML string from the GeoJSON reaches the page.
  assert.doesNotMatch(built, /innerHTML|insertAdjacentHTML|outerHTML/);
});
