// pino, bundled apart from procwarden's main code and carried as a payload
// (src/bundle/payloads.ts): loaded on the first JSON event that is written.
export { default as pino } from 'pino';
