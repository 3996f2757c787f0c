/** The run's results as text: a markdown table of scenarios and the list of targets. */
import type { Results, Row, Target } from "./results";
import { round } from "./stats";

const n = (x: number | undefined, d = 2): string => (x === undefined || !Number.isFinite(x) ? "" : String(round(x, d)));
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "");

function non2xx(r: Row): string {
  const bad = Object.entries(r.statuses).filter(([c]) => !c.startsWith("2"));
  const parts = bad.map(([c, k]) => `${k}×${c}`);
  if (r.timeouts > 0) parts.push(`${r.timeouts} timeouts`);
  if (r.errors > r.timeouts) parts.push(`${r.errors - r.timeouts} errors`);
  return parts.join(", ");
}

export function scenarioTable(rows: Row[]): string {
  const head = "| scenario | users | conns | req/s | p50 ms | p99 ms | seq p50 ms | seq p99 ms | vs baseline | not 2xx | server CPU | others CPU |";
  const lines = [head, head.replace(/[^|]+/g, "---")];
  for (const r of rows) {
    const rate = r.unitsPerSec !== r.rps ? `${int(r.rps)} (${int(r.unitsPerSec)} users/s)` : int(r.rps);
    lines.push(`| ${r.title} | ${int(r.users)} | ${r.connections} | ${rate} | ${n(r.p50)} | ${n(r.p99)} | ${n(r.seqP50, 3)} | ${n(r.seqP99, 3)} | ${n(r.vsBaseline)} | ${non2xx(r)} | ${n(r.cpu.server)} | ${n(r.cpu.others)}${r.repeated ? " (rerun)" : ""} |`);
  }
  return lines.join("\n");
}

export function targetList(targets: Target[]): string {
  return targets.map((t) => `- ${t.met === null ? "n/a " : t.met ? "MET " : "MISS"} ${t.name}: ${t.figure}`).join("\n");
}

export function summary(res: Results): string {
  const met = res.targets.filter((t) => t.met === true).length;
  const missed = res.targets.filter((t) => t.met === false).length;
  const fr = res.fullRead;
  return [
    `orgscim benchmark, ${res.started}: ${res.machine.cores} cores (${res.machine.cpus}), Node ${res.machine.node}, ${res.machine.os}` +
      `${res.machine.taskset ? ", server pinned to core 0, load generator to core 1" : ", NOT pinned (taskset missing)"}`,
    `data set: ${int(res.dataset.users)} users, ${int(res.dataset.groups)} groups (built in ${n(res.dataset.buildSeconds, 1)} s, ${n(res.dataset.dbMb, 0)} MB); ` +
      `store ${res.options.store}; ${res.options.durationSec} s a scenario`,
    "",
    scenarioTable(res.rows),
    "",
    fr ? `full read of the ${int(res.dataset.users)}-member group (SCIM_GROUP_MEMBERS_RETURNED=100000): ${int(fr.members)} members, ${n(fr.bytes / 1e6, 1)} MB, ` +
      `cold ${n(fr.coldMs, 0)} ms, p50 ${n(fr.p50Ms, 0)} ms, max ${n(fr.maxMs, 0)} ms; RSS ${n(fr.rssBeforeMb, 0)} MB before, peak ${n(fr.peakAfterMb, 0)} MB after (+${n(fr.growthMb, 0)} MB)` : "full read: not run",
    `server peak RSS (VmHWM) over the main run: ${n(res.peakRssMb, 0)} MB`,
    `import over HTTP /Bulk: ${res.importStatus}`,
    `import with the command: ${res.cliImportStatus}`,
    "",
    `targets: ${met} met, ${missed} missed`,
    targetList(res.targets),
    "",
    `wall time: ${n(res.wallSeconds, 0)} s`,
  ].join("\n");
}
