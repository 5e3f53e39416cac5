// The token's check: constant time, whatever the candidate's length (both sides hashed first,
// so that neither a length nor a common prefix shows in the time taken). node:crypto is
// loaded here, when the web interface opens.

/** A check of candidates against `token`. */
export function tokenCheck(token: string): (candidate: string) => boolean {
  const { createHash, timingSafeEqual } = process.getBuiltinModule('node:crypto');
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const expected = digest(token);
  return (candidate) => timingSafeEqual(digest(candidate), expected);
}
