/**
 * Commander's accumulator for a repeatable option (`--where`, `--map`, `--count`, ...): each use
 * appends its value. Its own module, not args.ts, because commands register their options at
 * startup and args.ts loads csv-parse, which only a running export or import needs.
 */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
