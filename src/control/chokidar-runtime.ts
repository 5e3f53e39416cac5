// chokidar, bundled apart from procwarden's main code and carried as a payload
// (src/bundle/payloads.ts): loaded only when PROCWARDEN_POLICY_FILE is watched.
export { watch } from 'chokidar';
