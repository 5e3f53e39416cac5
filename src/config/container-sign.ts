// Whether procwarden runs in a container of its own, so that the default wipe paths (the
// working directory and /tmp) are that container's and nobody else's. Pure: the caller reads
// the namespace (main.ts) and the environment (command-line.ts).
//
// The evidence is what a container engine does and a shell on a machine does not:
//
// - A UTS namespace of its own (a hostname of its own). Docker (even with --network host),
//   podman, containerd, CRI-O, BuildKit's and buildah's RUN steps, runc's default spec,
//   systemd-nspawn and LXC give every container one; `unshare --pid --fork`, a CI job or a
//   service on the machine share the machine's. The machine's own UTS namespace has a fixed
//   inode, PROC_UTS_INIT_INO (0xEFFFFFFE) in Linux's include/linux/proc_ns.h, since 3.8.
// - KUBERNETES_SERVICE_HOST, which the kubelet sets in every container: a pod with
//   hostNetwork shares the node's UTS namespace.
//
// Not trusted alone: the files engines leave (/.dockerenv, /run/.containerenv) and the
// `container` variable, which a machine made from a container image keeps (a VM booted from
// an image has its /.dockerenv); nor a mount namespace of its own, which `unshare --pid
// --fork --mount-proc` gives while sharing the machine's files.

/** `/proc/self/ns/uts` of a process in the machine's own UTS namespace. */
export const MACHINE_UTS_NAMESPACE = `uts:[${0xeffffffe}]`;

/** The variable Kubernetes sets in every container. */
const KUBERNETES_VARIABLE = 'KUBERNETES_SERVICE_HOST';

/** What the README and the messages name as the evidence looked for. */
export const CONTAINER_SIGNS_TEXT = 'a UTS namespace of its own (a hostname of its own) or KUBERNETES_SERVICE_HOST';

/**
 * The sign that procwarden runs in a container of its own, as a phrase for messages; undefined
 * when there is none. `utsNamespace`: the link `/proc/self/ns/uts` (`uts:[N]`), undefined when
 * it cannot be read (no /proc: no evidence). `env`: procwarden's environment.
 */
export function containerSign(utsNamespace: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (utsNamespace !== undefined && /^uts:\[\d+\]$/.test(utsNamespace) && utsNamespace !== MACHINE_UTS_NAMESPACE) {
    return `a UTS namespace of its own (${utsNamespace})`;
  }
  if ((env[KUBERNETES_VARIABLE] ?? '') !== '') return KUBERNETES_VARIABLE;
  return undefined;
}

/**
 * Why the default wipe paths are not reset here, or undefined when they are: for a run,
 * procwarden must be the container's PID 1 (`pid` its own pid) and see a container sign; for
 * `procwarden snapshot` (an image build step, not PID 1: `pid` undefined), the sign alone.
 * Paths named in PROCWARDEN_WIPE_PATHS (`byDefault` false) are always reset.
 */
export function whyNotOwnDefaultPaths(settings: { readonly wipePathsByDefault: boolean; readonly containerSign: string | undefined }, pid?: number): string | undefined {
  if (!settings.wipePathsByDefault) return undefined;
  const named = 'set PROCWARDEN_WIPE_PATHS to name them';
  if (pid !== undefined && pid !== 1) {
    return `not PID 1: the default wipe paths (the working directory and /tmp) are reset only in a container procwarden is PID 1 of; ${named}`;
  }
  if (settings.containerSign === undefined) {
    return `no sign of a container (${CONTAINER_SIGNS_TEXT}): the default wipe paths (the working directory and /tmp) may be shared with the machine, and are used only in a container; ${named}`;
  }
  return undefined;
}
