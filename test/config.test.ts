/** Configuration: parsed once, wrong values named with what they accept, secrets never echoed. */
import { ConfigError, loadConfig } from "../src/config/config";

describe("loadConfig", () => {
  it("uses the defaults on an empty environment", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, DATABASE_URL: "sqlite:./data/orgscim.db", LOG_LEVEL: "info" });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("names every wrong variable and what it accepts", () => {
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud" });
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.join("\n")).toMatch(/PORT="eighty"/);
      expect((e as ConfigError).problems.join("\n")).toMatch(/LOG_LEVEL="loud".*"fatal"/);
    }
  });

  it("refuses SCIM_MAX_RESULTS below 100, saying why (Okta pages by 100 and would skip users)", () => {
    expect(() => loadConfig({ SCIM_MAX_RESULTS: "99" })).toThrow(ConfigError);
    try {
      loadConfig({ SCIM_MAX_RESULTS: "50" });
    } catch (e) {
      expect((e as ConfigError).problems.join("\n")).toMatch(/SCIM_MAX_RESULTS="50".*at least 100.*Okta/);
    }
    expect(loadConfig({ SCIM_MAX_RESULTS: "100" }).SCIM_MAX_RESULTS).toBe(100);
  });

  it("never echoes the value of a variable that may hold a secret", () => {
    try {
      loadConfig({ SMTP_URL: "http://user:hunter2@mail", DATABASE_URL: "postgres://u:s3cr3t@db", ORGSCIM_BOOTSTRAP_TOKEN: "topsecret" });
      throw new Error("expected a ConfigError");
    } catch (e) {
      const text = (e as Error).message;
      expect(text).toMatch(/SMTP_URL=\(value hidden/);
      expect(text).not.toMatch(/hunter2|s3cr3t|topsecret/);
    }
  });
});
