import { percentile, ratio, round } from "../../bench/stats";

describe("bench statistics", () => {
  it("takes percentiles by nearest rank, whatever the order of the samples", () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 90)).toBe(9);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([0.25], 99)).toBe(0.25);
  });

  it("answers NaN for no samples and for ratios with a missing or zero side", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(undefined, 2)).toBeNaN();
    expect(ratio(3, 2)).toBe(1.5);
  });

  it("rounds and keeps NaN", () => {
    expect(round(1.23456, 3)).toBe(1.235);
    expect(round(Number.NaN)).toBeNaN();
  });
});
