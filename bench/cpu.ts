/**
 * CPU accounting from /proc (Linux): how much CPU the whole machine, the server and the load
 * generator used during a scenario, so that what other tenants used can be told apart and a
 * noisy scenario repeated. Figures are in cores (1.0 = one core busy for the whole interval).
 */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuSnapshot {
  at: number;
  /** Busy ticks of all cores together. */
  machine: number;
  /** utime + stime ticks of each watched process. */
  procs: number[];
}

function machineBusyTicks(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
}

function processTicks(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

export function cpuSnapshot(pids: number[]): CpuSnapshot {
  return { at: performance.now(), machine: machineBusyTicks(), procs: pids.map(processTicks) };
}

export interface CpuUse {
  /** Cores used by each watched process, in the order given. */
  procs: number[];
  /** Cores used by everything else on the machine (other tenants, this orchestrator, the kernel). */
  others: number;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const ticks = ((b.at - a.at) / 1000) * TICKS_PER_SECOND;
  if (ticks <= 0) return { procs: a.procs.map(() => 0), others: 0 };
  const procs = b.procs.map((t, i) => (t - (a.procs[i] ?? 0)) / ticks);
  const machine = (b.machine - a.machine) / ticks;
  return { procs, others: Math.max(0, machine - procs.reduce((s, x) => s + x, 0)) };
}

/** VmHWM (peak RSS) and VmRSS of a process in MB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? "NaN");
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}
