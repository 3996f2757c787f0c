/** Reading /metrics (Prometheus text format) in tests: one scrape, and one series' value. */

/** GET <url>/metrics with `token` as the bearer (null: none). */
export async function scrapeMetrics(url: string, token: string | null): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(`${url}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, text: await r.text(), type: r.headers.get("content-type") };
}

/** The value of a series whose labels include these; null when no line matches. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return null;
}
