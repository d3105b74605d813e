// The map script is committed built (public/complaint-map.js), so that `npm start` needs no
// bundler: these tests fail when the committed file is not what client/complaint-map.ts gives,
// or when the client source does not type-check (the root tsconfig does not cover client/).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { buildClientScript, CLIENT_OUTPUT, CLIENT_SOURCE } from '../../../scripts/build-client.ts';

test('public/complaint-map.js is the build of client/complaint-map.ts (run scripts/build-client.ts after a change)', async () => {
  assert.equal(fs.readFileSync(CLIENT_OUTPUT, 'utf8'), await buildClientScript());
});

test('the map script stays small and loads Leaflet itself', () => {
  const built = fs.readFileSync(CLIENT_OUTPUT, 'utf8');
  assert.ok(built.length < 6 * 1024, `${built.length} bytes`);
  assert.ok(!built.includes('L.Map.prototype'), 'Leaflet is not bundled in');
});

test('client/complaint-map.ts type-checks against the DOM and Leaflet types', () => {
  const tsc = path.resolve(path.dirname(CLIENT_SOURCE), '../node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.dirname(CLIENT_SOURCE)], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});
