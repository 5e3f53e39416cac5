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
import { isStandalone, keepBundleDescriptor, keepBundleText, payloadsInText } from './payloads.ts';

/**
 * The function whose text holds the payloads (payloads.ts, PAYLOAD_FUNCTION): its declaration
 * ends dist/procwarden. The standalone executable has none.
 */
declare const procwardenPayloads: (() => void) | undefined;

/**
 * The code and its cache: in dist/procwarden, from the text Node read (nothing is read again);
 * in the standalone executable, mapped with it (no copy).
 */
function codeAndCache(): { code: string | undefined; cache: Buffer | undefined } {
  if (typeof procwardenPayloads === 'function') {
    keepBundleDescriptor(process.getBuiltinModule('node:fs').openSync(file, 'r'));
    const text = procwardenPayloads.toString();
    keepBundleText(text);
    const payloads = payloadsInText(text, ['code', 'code-cache']);
    const cache = payloads.get('code-cache')?.data;
    return { code: payloads.get('code')?.data, cache: cache === undefined ? undefined : Buffer.from(cache, 'base64') };
  }
  if (isStandalone()) {
    const sea = process.getBuiltinModule('node:sea');
    const asset = (name: string) => (sea.getAssetKeys().includes(name) ? Buffer.from(sea.getRawAsset(name)) : undefined);
    return { code: asset('code')?.toString('utf8'), cache: asset('code-cache') };
  }
  return { code: undefined, cache: undefined };
}

/** This file: as CommonJS, `__filename`; as an ES module, the script Node was given. */
const file = typeof __filename === 'string' ? __filename : process.argv[1]!;
const commonJs = typeof module === 'object' && typeof require === 'function';
const moduleObject: { exports: unknown } = commonJs ? module : { exports: {} };
const directory = commonJs ? __dirname : process.getBuiltinModule('node:path').dirname(file);

/**
 * The require procwarden's code is given: it requires nothing but Node's built-ins (everything
 * else is bundled; scripts/build.ts checks), reached with process.getBuiltinModule, as the
 * first calls of Node's require cost a start about 0.2 ms. Bound, not a function of this
 * file: a function of this file that outlives the start would keep all of its text (1 MB).
 */
const requireBuiltin = process.getBuiltinModule.bind(process);

const { code, cache } = codeAndCache();
if (!code) throw new Error(`${file} carries no code: build it with npm run build`);
compileModule('code', code, cache, file)(moduleObject.exports, requireBuiltin, moduleObject, file, directory);
