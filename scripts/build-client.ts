// Builds the browser script of the complaint pages: client/complaint-map.ts → public/complaint-map.js.
//
// The built file is committed, so `npm install && npm start` serves it without a build step
// and a deployment needs no bundler. A test (src/modules/complaints/portal-client.test.ts)
// rebuilds it and fails when the committed file is not what the source gives: run
//   node --import tsx scripts/build-client.ts
// after changing client/complaint-map.ts. esbuild is the one tsx already installs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLIENT_SOURCE = path.join(root, 'client/complaint-map.ts');
export const CLIENT_OUTPUT = path.join(root, 'public/complaint-map.js');

const BANNER = '/* Twiza: built from client/complaint-map.ts by scripts/build-client.ts; do not edit. */';

/** The bundled, minified script as it should be in public/. */
export async function buildClientScript(): Promise<string> {
  const result = await build({
    entryPoints: [CLIENT_SOURCE],
    bundle: true,
    minify: true,
    format: 'iife',
    // Old phones' browsers: Android 7's Chrome and iOS 11's Safari still run it.
    target: ['chrome58', 'safari11', 'firefox60'],
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await buildClientScript();
  fs.writeFileSync(CLIENT_OUTPUT, code);
  console.log(`${path.relative(root, CLIENT_OUTPUT)}: ${code.length} bytes`);
}
