// pino and pino-pretty, bundled apart from procwarden's main code and carried as a payload
// (src/bundle/payloads.ts): loaded on the first event that is written.
export { default as pino } from 'pino';
export { default as pinoPretty } from 'pino-pretty';
