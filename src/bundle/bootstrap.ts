// The first code of dist/procwarden: procwarden's own code travels in the same file as a
// payload, with its code cache (code-cache.ts), and runs from here as the module it was.

import { compileModule } from './code-cache.ts';
import { readPayloadsFromFile } from './payloads.ts';

const payloads = readPayloadsFromFile(__filename, ['code', 'code-cache']);
const code = payloads.get('code');
if (!code) throw new Error(`${__filename} carries no code: build it with npm run build`);
compileModule('code', code.bytes.toString('utf8'), payloads.get('code-cache')?.bytes, __filename)(exports, require, module, __filename, __dirname);
