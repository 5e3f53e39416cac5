// Ending the app's tree: every process below procwarden but procwarden's own (the ones Node
// spawned itself: the linter at start, a health check's shell; a health check's process
// group; what they forked). A graceful stop signals the whole tree and waits for it; a kill
// sends SIGKILL until none is left. The tree is read from /proc again each round: the app
// may fork while it ends, and a grandchild that called setsid is in no process group of
// the app's.

import { monotonicMs } from '../clock/monotonic.ts';
import { signalGroup, signalProcess } from '../signals/signals.ts';
import type { Reaper } from './reaper.ts';
import { nodeChildren } from './node-children.ts';
import { ownGroups } from './own-groups.ts';
import { withoutOwn } from './ownership.ts';
import type { ProcStat } from './proc-stat.ts';
import { commandLine, ProcUnreadable, readDescendants } from './process-table.ts';

/** Longest wait for a SIGCHLD between two rounds; the next round reads /proc again anyway. */
const ROUND_WAIT_MS = 50;

/**
 * Which processes below procwarden a stop or a kill is about: all of them (one app), or one
 * instance's (a formation's; ownership.ts). Given every process below procwarden but
 * procwarden's own.
 */
export type TreeScope = (everyone: ProcStat[]) => ProcStat[];

/** Every process below procwarden: the scope of a lone app. */
export const EVERYONE: TreeScope = (everyone) => everyone;

export interface Leftover {
  readonly pid: number;
  readonly command: string;
}

const isOwn = ({ pid, pgid }: ProcStat): boolean => nodeChildren.has(pid) || ownGroups.has(pgid);

/** The app's tree as /proc shows it now, zombies included. Throws ProcUnreadable. */
function appTree(scope: TreeScope): ProcStat[] {
  return scope(withoutOwn(readDescendants(), isOwn));
}

/** The tree, or undefined while /proc cannot be read: unknown, which is never "empty". */
function treeIfReadable(scope: TreeScope): ProcStat[] | undefined {
  try {
    return appTree(scope);
  } catch (error) {
    if (error instanceof ProcUnreadable) return undefined;
    throw error;
  }
}

const isLive = (stat: ProcStat) => stat.state !== 'Z' && stat.state !== 'X';

/**
 * The first step of a graceful stop: `signal` to the app's process group, and to every
 * process of the tree outside it (a setsid child, a daemon), which the group's signal never
 * reaches; then SIGCONT to the same, so that a stopped process (^Z, SIGSTOP) acts on the
 * signal now pending instead of sleeping through the grace. To all of them, not only those
 * /proc shows stopped: a SIGSTOP can be pending in one that /proc shows running (a shell
 * waiting in vfork for its child's exec stops once the exec is done), and only a SIGCONT
 * clears it. systemd does the same after its KillSignal (systemd.kill(5)); a process that is
 * not stopped ignores SIGCONT unless it handles it.
 */
export function signalTree(pgid: number, signal: NodeJS.Signals, scope: TreeScope = EVERYONE): void {
  const outside = (treeIfReadable(scope) ?? []).filter((stat) => isLive(stat) && stat.pgid !== pgid);
  for (const each of [signal, 'SIGCONT'] as const) {
    signalGroup(pgid, each);
    for (const { pid } of outside) signalProcess(pid, each);
  }
}

/**
 * Waits until every process of the tree has ended (and been reaped), or until `deadlineMs`
 * on the monotonic clock. True when the tree is gone. Costs one /proc read when it is
 * already gone: the stop of an app with no descendants adds nothing to the exit.
 */
export async function waitForTree(reaper: Reaper, deadlineMs: number, scope: TreeScope = EVERYONE): Promise<boolean> {
  for (;;) {
    reaper.reap();
    const tree = treeIfReadable(scope);
    if (tree?.length === 0) return true;
    const leftMs = deadlineMs - monotonicMs();
    if (leftMs <= 0) return false;
    // Every process of the tree ends as a child of procwarden or of another process of the
    // tree, so the tree can only empty with a reap of procwarden's: no polling (but for a
    // /proc that cannot be read now, read again each round).
    await reaper.nextReap(tree === undefined ? Math.min(leftMs, ROUND_WAIT_MS) : leftMs);
  }
}

/** Kills the whole tree and waits until it is reaped. Returns what was alive at the first round. */
export async function killTree(reaper: Reaper, scope: TreeScope = EVERYONE): Promise<Leftover[]> {
  let first: Leftover[] | undefined;
  for (;;) {
    reaper.reap();
    const left = treeIfReadable(scope);
    if (left === undefined) {
      // Out of descriptors, say: wait and read again. Never taken for an empty tree, or the
      // next app would start beside the old one's survivors.
      await reaper.nextReap(ROUND_WAIT_MS);
      continue;
    }
    const alive = left.filter(isLive);
    // Their command lines are read before they are killed: a zombie's is empty.
    first ??= alive.map(({ pid, comm }) => ({ pid, command: commandLine(pid, comm) }));
    if (left.length === 0) return first;
    for (const { pid } of alive) signalProcess(pid, 'SIGKILL');
    await reaper.nextReap(ROUND_WAIT_MS);
  }
}

/** One round at once, without waiting, of the app's tree: the stop grace's end, a background crash. */
export function killDescendantsNow(scope: TreeScope = EVERYONE): void {
  // Unreadable now: killTree, which follows every use of this, reads again until it can.
  for (const { pid } of treeIfReadable(scope) ?? []) signalProcess(pid, 'SIGKILL');
}

/** Every process below procwarden, procwarden's own too, at once: a fatal error, before procwarden exits. */
export function killEverythingNow(): void {
  let everyone: ProcStat[] = [];
  try {
    everyone = readDescendants();
  } catch (error) {
    // Unreadable now: as PID 1, the kernel kills them all as procwarden exits anyway.
    if (!(error instanceof ProcUnreadable)) throw error;
  }
  for (const { pid } of everyone) signalProcess(pid, 'SIGKILL');
}
