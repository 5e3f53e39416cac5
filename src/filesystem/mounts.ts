// Where the mount points below a wipe root are, from /proc/self/mountinfo's text: a volume, a
// secret, a bind-mounted folder or file, none of which a walk enters, snapshots or resets.
// Bind mounts from the root's own filesystem have the root's device number: only their path
// tells them. Pure: the caller reads the file.

/** Each mount's mount point (its fifth field, octal escapes undone), as byte strings (latin1). */
export function parseMountPoints(mountinfo: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    // Spaces, tabs, newlines and backslashes are octal-escaped in mountinfo.
    if (field) points.push(field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  }
  return points;
}

/**
 * The mount points strictly below `root` (an absolute byte string), by the folder that holds
 * each: absolute folder path → the names in it that are mount points. A folder's listing
 * then takes one lookup, whatever its size.
 */
export function mountPointsBelow(points: Iterable<string>, root: string): Map<string, Set<string>> {
  const below = new Map<string, Set<string>>();
  const prefix = root.endsWith('/') ? root : `${root}/`;
  for (const point of points) {
    if (!point.startsWith(prefix) || point.length === prefix.length) continue;
    const slash = point.lastIndexOf('/');
    const folder = point.slice(0, slash);
    let names = below.get(folder);
    if (!names) below.set(folder, (names = new Set()));
    names.add(point.slice(slash + 1));
  }
  return below;
}
