// What a reset may leave as it finds it without an error: an entry's modification time that
// procwarden's user could never set back. Pure: plain numbers.
//
// Only an entry's owner, or a process with CAP_FOWNER, may set its times to a given value
// (utimensat(2): EPERM). A procwarden that is not root runs as a user that does not own, say,
// root's /tmp; that user can change none of such an entry's own attributes (its owner and
// mode are its owner's to change), but the kernel moves a folder's time whenever an entry is
// added to it or removed from it: the app's junk in /tmp, and the reset's own removal of it.
// The contents are still put back; only the time, which nothing of the app's depends on and
// the reset itself moves, cannot be. Owner and mode are not out of reach in that sense: only
// a more privileged process can have changed them, and a reset that cannot set them back
// reports it.

const EPERM = 1;

/**
 * Whether setting an entry's modification time back failed only because procwarden's user
 * (`euid`) does not own it (`ownerUid`) and may not set its times: EPERM on another user's
 * entry. Anything else (EPERM on procwarden's own entry: an immutable file; EROFS, EIO ...)
 * is an error the reset reports.
 */
export function timeOutOfReach(errno: number, ownerUid: number, euid: number): boolean {
  return errno === EPERM && ownerUid !== euid;
}
