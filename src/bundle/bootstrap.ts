// The first code of dist/procwarden and of the standalone executable: procwarden's own code
// travels beside it as a payload (in the same file, or as an asset of the executable), with
// its code cache (code-cache.ts), and runs from here as the module it was.

import { compileModule } from './code-cache.ts';
import { isStandalone, readPayloadsFromFile } from './payloads.ts';

/** The code and its cache: mapped with the standalone executable (no copy), or read from the bundle file. */
function codeAndCache(): { code: Buffer | undefined; cache: Buffer | undefined } {
  if (isStandalone()) {
    const sea = process.getBuiltinModule('node:sea');
    const asset = (name: string) => (sea.getAssetKeys().includes(name) ? Buffer.from(sea.getRawAsset(name)) : undefined);
    return { code: asset('code'), cache: asset('code-cache') };
  }
  const payloads = readPayloadsFromFile(__filename, ['code', 'code-cache']);
  return { code: payloads.get('code')?.bytes, cache: payloads.get('code-cache')?.bytes };
}

const { code, cache } = codeAndCache();
if (!code) throw new Error(`${__filename} carries no code: build it with npm run build`);
compileModule('code', code.toString('utf8'), cache, __filename)(exports, require, module, __filename, __dirname);
