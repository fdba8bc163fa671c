/**
 * CPU time per thread of a process, read from /proc (Linux only), to show where a benchmark's
 * CPU goes: a process's main thread has the process id as its thread id.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's utime and stime, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Thread id → CPU milliseconds (user + system) so far; null where /proc is not there. */
export function threadCpuMs(pid: number): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU spent between two snapshots: the main thread (tid = pid) and all other threads together. */
export function cpuBetween(pid: number, before: Map<number, number>, after: Map<number, number>): { mainMs: number; otherMs: number } {
  let mainMs = 0;
  let otherMs = 0;
  for (const [tid, ms] of after) {
    const spent = ms - (before.get(tid) ?? 0);
    if (tid === pid) mainMs += spent;
    else otherMs += spent;
  }
  return { mainMs, otherMs };
}
