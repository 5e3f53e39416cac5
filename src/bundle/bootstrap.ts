// The first code of dist/procwarden and of the standalone executable: procwarden's own code
// travels beside it as a payload (in the same file, or as an asset of the executable), with
// its code cache (code-cache.ts), and runs from here as the module it was.
//
// Node runs a file with no extension as an ES module where the nearest package.json says
// "type": "module" (an app's own, when dist/procwarden is copied into the app's folder):
// there `require`, `module`, `exports` and `__filename` do not exist. So this code, and what
// it imports, reaches Node's built-ins with process.getBuiltinModule and gives procwarden's
// code CommonJS parameters of its own: the file is then process.argv[1], which Node has made
// absolute.

import { compileModule } from './code-cache.ts';
import { isStandalone, keepBundleDescriptor, readPayloadsFromFile } from './payloads.ts';

/** The code and its cache: mapped with the standalone executable (no copy), or read from the bundle file. */
function codeAndCache(): { code: Buffer | undefined; cache: Buffer | undefined } {
  if (isStandalone()) {
    const sea = process.getBuiltinModule('node:sea');
    const asset = (name: string) => (sea.getAssetKeys().includes(name) ? Buffer.from(sea.getRawAsset(name)) : undefined);
    return { code: asset('code'), cache: asset('code-cache') };
  }
  const fd = process.getBuiltinModule('node:fs').openSync(file, 'r');
  keepBundleDescriptor(fd);
  const payloads = readPayloadsFromFile(fd, ['code', 'code-cache']);
  return { code: payloads.get('code')?.bytes, cache: payloads.get('code-cache')?.bytes };
}

/** This file: as CommonJS, `__filename`; as an ES module, the script Node was given. */
const file = typeof __filename === 'string' ? __filename : process.argv[1]!;
const commonJs = typeof module === 'object' && typeof require === 'function';
const moduleObject: { exports: unknown } = commonJs ? module : { exports: {} };
const requireFunction = commonJs ? require : process.getBuiltinModule('node:module').createRequire(file);
const directory = commonJs ? __dirname : process.getBuiltinModule('node:path').dirname(file);

const { code, cache } = codeAndCache();
if (!code) throw new Error(`${file} carries no code: build it with npm run build`);
compileModule('code', code.toString('utf8'), cache, file)(moduleObject.exports, requireFunction, moduleObject, file, directory);
