/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", {}] },
  // 120 s: a test's own waits (60 s for a spawned server, a mail, a SET) end first, with what they saw;
  // on a loaded 2-core CI a whole test of a spawned server takes a minute, and a timeout only bounds a hang.
  testTimeout: 120000,
  maxWorkers: 2,
};
