// The token's check, in constant time (Node's timingSafeEqual): how long it takes tells
// nothing of how much of a candidate was right. Only a length differing from the token's
// shows (the compare is then made against the token itself, for the same time). No hash is
// made per request: the objects a Hash leaves for the garbage collector kept V8's memory
// reducer waking an idle procwarden every 8 s (npm run bench, web section).

/** A check of candidates against `token`. node:crypto is loaded here, when the web interface first answers. */
export function tokenCheck(token: string): (candidate: string) => boolean {
  const { timingSafeEqual } = process.getBuiltinModule('node:crypto');
  const expected = Buffer.from(token, 'utf8');
  return (candidate) => {
    const given = Buffer.from(candidate, 'utf8');
    if (given.length !== expected.length) return !timingSafeEqual(expected, expected);
    return timingSafeEqual(given, expected);
  };
}
