/** The orchestrator's side of the load generator (load.ts): one scenario at a time over IPC. */
import type { ChildProcess } from "node:child_process";
import type { LoadJob, LoadResult } from "./load";

export class LoadClient {
  constructor(readonly child: ChildProcess) {}
  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onMsg = (m: { ok: boolean; result?: LoadResult; error?: string }) => {
        this.child.off("exit", onExit);
        if (m.ok && m.result) resolve(m.result);
        else reject(new Error(`load generator failed on ${job.scenario}: ${m.error}`));
      };
      const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
      this.child.once("message", onMsg);
      this.child.once("exit", onExit);
      this.child.send(job);
    });
  }
}
