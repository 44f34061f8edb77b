/** Jest runs TypeScript as native ESM (execa, chokidar are ESM-only): see README "Development". */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/test/torture/"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: { isolatedModules: true } }],
  },
  globalSetup: "<rootDir>/test/global-setup.js",
  // After the summary: which tests this machine skipped, and why (not root, a program missing).
  reporters: ["default", "<rootDir>/test/helpers/skip-reasons-reporter.js"],
  // A guard against hangs only: on a loaded 2-core machine a real vigia child can take many seconds to start.
  testTimeout: 120_000,
  maxWorkers: 2,
};
