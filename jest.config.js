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
  testTimeout: 30000,
  maxWorkers: 2,
};
