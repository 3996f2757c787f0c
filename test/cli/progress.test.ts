/** The progress bar counts what is done, out of the whole: 100% only with the last line, never on a pipe or under --quiet. */
import { progressBar } from "../../src/cli/progress";

const terminal = () => {
  let text = "";
  return { stream: { isTTY: true, columns: 200, write: (s: string) => ((text += s), true) }, text: () => text };
};
const last = (text: string) => text.split(/[\r\n]/).filter(Boolean).pop() ?? "";

describe("the progress bar", () => {
  it("shows the share done, rounded down: 66% at 1,001 of 1,516 lines, 99% at 1,515, 100% only once finished", () => {
    const t = terminal();
    const bar = progressBar(t.stream, { label: "import", total: 1516, unit: "lines" });
    bar.update(1001);
    expect(last(t.text())).toMatch(/\]\s+66%\s+1,001 of 1,516 lines/);
    const now = Date.now();
    const later = jest.spyOn(Date, "now").mockReturnValue(now + 1000); // past the redraw interval
    bar.update(1515);
    later.mockRestore();
    expect(last(t.text())).toMatch(/\]\s+99%\s+1,515 of 1,516 lines/);
    bar.finish();
    expect(last(t.text())).toMatch(/\[#{30}\]\s+100%\s+1,516 of 1,516 lines/);
  });

  it("stops where the run stopped when it failed", () => {
    const t = terminal();
    const bar = progressBar(t.stream, { label: "import", total: 1516, unit: "lines" });
    bar.update(700);
    bar.finish(false);
    expect(last(t.text())).toMatch(/46%\s+700 of 1,516/);
  });

  it("draws nothing on a pipe or under --quiet", () => {
    for (const o of [{ isTTY: false, quiet: false }, { isTTY: true, quiet: true }]) {
      let text = "";
      const bar = progressBar({ isTTY: o.isTTY, write: (s: string) => ((text += s), true) }, { label: "x", total: 10, unit: "rows", quiet: o.quiet });
      bar.update(5);
      bar.finish();
      expect(text).toBe("");
    }
  });
});
