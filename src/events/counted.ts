// A count and its noun, in the number the count asks for: "1 error", "2 errors". Pure.

/** `count` and `one` (the singular noun), or `many` (default: `one` + "s") for any count but 1. */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
