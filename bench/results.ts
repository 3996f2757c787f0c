/** The shape of a benchmark run's results (written as results.json). */
import type { ImportResult } from "./import";

export interface Row {
  scenario: string;
  title: string;
  /** Users in the data set the server ran on. */
  users: number;
  connections: number;
  rps: number;
  /** Cycles/s for cycle scenarios, else rps. */
  unitsPerSec: number;
  p50: number;
  p99: number;
  seqP50?: number;
  seqP99?: number;
  /** rps / baseline rps at the same connection count. */
  vsBaseline: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  retryAfter429: number;
  /** p99 of the 2xx answers alone (ms). */
  acceptedP99: number;
  /** Cores used during the scenario by the server, the load generator and everything else. */
  cpu: { server: number; load: number; others: number };
  /** Measured twice because others used the machine the first time. */
  repeated: boolean;
}

export interface FullRead {
  members: number;
  bytes: number;
  coldMs: number;
  p50Ms: number;
  maxMs: number;
  rssBeforeMb: number;
  peakAfterMb: number;
  growthMb: number;
}

export interface Target {
  name: string;
  figure: string;
  /** null: could not be measured. */
  met: boolean | null;
}

export interface Results {
  started: string;
  wallSeconds: number;
  machine: { cpus: string; cores: number; node: string; os: string; taskset: boolean };
  options: { users: number; store: string; quick: boolean; durationSec: number };
  dataset: { users: number; groups: number; buildSeconds: number; smallBuildSeconds: number; dbMb: number };
  rows: Row[];
  fullRead: FullRead | null;
  peakRssMb: number;
  importStatus: string;
  import: ImportResult | null;
  cliImportStatus: string;
  cliImport: ImportResult | null;
  targets: Target[];
}
