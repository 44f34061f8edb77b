/**
 * The torture suite: `npm run test:torture`. Long scenarios on real processes, files and logrotate, run one
 * at a time (timings matter on a 2-core machine). TORTURE_FULL=1 runs them at full size.
 */
import base from "./jest.config.js";

export default {
  ...base,
  roots: ["<rootDir>/test/torture"],
  testPathIgnorePatterns: ["/node_modules/"],
  globalSetup: "<rootDir>/test/global-setup.js",
  testTimeout: 300_000,
  maxWorkers: 1,
};
