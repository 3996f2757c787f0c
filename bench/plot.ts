/**
 * A hand-written SVG of latency percentiles by scenario (no plotting dependency): one row per
 * scenario run, a bar from p50 to p99 (autocannon, whole ms) and dots for the sequential client's
 * p50/p99, on a log scale of milliseconds.
 */
import type { Row } from "./results";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function latencySvg(rows: Row[], title: string): string {
  const left = 430;
  const width = 1100;
  const plotW = width - left - 30;
  const rowH = 18;
  const top = 50;
  const height = top + rows.length * rowH + 50;
  const lo = Math.log10(0.05);
  const hi = Math.log10(1000);
  const x = (ms: number) => Math.round((left + ((Math.log10(Math.min(1000, Math.max(0.05, ms))) - lo) / (hi - lo)) * plotW) * 10) / 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left}" y="36" fill="#555">bar: autocannon p50–p99 (whole ms; a p50 under 1 ms starts at the sequential p50), log scale; ● sequential p50, ○ sequential p99</text>`,
  ];
  for (const tick of [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]) {
    const tx = x(tick);
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${height - 40}" stroke="#ddd"/>`);
    out.push(`<text x="${tx}" y="${height - 26}" text-anchor="middle" fill="#555">${tick}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">milliseconds</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const mid = y + rowH / 2;
    const label = `${r.title} · ${r.users.toLocaleString("en-US")} users · ${r.connections} conn`;
    out.push(`<text x="${left - 8}" y="${mid + 4}" text-anchor="end">${esc(label)}</text>`);
    const bad = Object.keys(r.statuses).some((c) => !c.startsWith("2")) || r.timeouts > 0;
    // autocannon counts whole milliseconds: a p50 of 0 means "under 1 ms"; start the bar at the sequential p50 then.
    const x1 = x(r.p50 > 0 ? r.p50 : r.seqP50 ?? 0.5);
    const x2 = Math.max(x1 + 2, x(Math.max(r.p99, 0.05)));
    out.push(`<rect x="${x1}" y="${y + 4}" width="${x2 - x1}" height="${rowH - 8}" fill="${bad ? "#d9534f" : r.scenario === "baseline" ? "#999" : "#4a7fc1"}"/>`);
    if (r.seqP50 !== undefined) out.push(`<circle cx="${x(r.seqP50)}" cy="${mid}" r="3.5" fill="#222"/>`);
    if (r.seqP99 !== undefined) out.push(`<circle cx="${x(r.seqP99)}" cy="${mid}" r="3.5" fill="none" stroke="#222"/>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
