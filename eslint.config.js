// Lint: typescript-eslint's recommended rules over src/, test/, bench/ and scripts/ (syntax-level, no type
// information: fast enough to run on every CI build). Unused locals and parameters are the compiler's job
// (tsconfig noUnusedLocals/noUnusedParameters); unused files, exports and dependencies are knip's (knip.json,
// the last step of `npm run lint`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "logs/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Escaping control characters is what several modules are for.
      "no-control-regex": "off",
      // A timer or handle declared before the closure that reads it, assigned once after.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
