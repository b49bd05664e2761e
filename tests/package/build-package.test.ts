// scripts/build-package.ts's last step: explicit files for the relative imports of emitted modules.
import { describe, expect, it } from "vitest";
import { rewriteRelativeSpecifiers, withJsExtension } from "../../scripts/build-package";

/** An emitted tree seen from one file's folder. */
const emitted =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe("withJsExtension", () => {
  it("names the module file when one exists", () => {
    expect(withJsExtension("./programs", emitted("./programs.js"))).toBe("./programs.js");
    expect(withJsExtension("../kit-compat", emitted("../kit-compat.js"))).toBe("../kit-compat.js");
  });

  it("names a folder's index when the specifier is a folder", () => {
    expect(withJsExtension("./chain", emitted("./chain/index.js"))).toBe("./chain/index.js");
    expect(withJsExtension("..", emitted("../index.js"))).toBe("../index.js");
  });

  it("prefers the module file over a folder of the same name, as bundlers resolve it", () => {
    expect(withJsExtension("./errors", emitted("./errors.js", "./errors/index.js"))).toBe("./errors.js");
  });

  it("keeps a specifier that already names an emitted file", () => {
    expect(withJsExtension("./x.js", emitted("./x.js"))).toBe("./x.js");
  });

  it("answers null for a specifier that names nothing emitted", () => {
    expect(withJsExtension("./missing", emitted("./other.js"))).toBeNull();
  });
});

describe("rewriteRelativeSpecifiers", () => {
  const isFile = emitted("./generated/index.js", "./chain.js", "../programs.js");

  it("rewrites imports, re-exports, side-effect imports and declaration import types", () => {
    // Given the forms tsc and esbuild emit
    const code = [
      'export * from "./generated";',
      'import { a } from "./chain";',
      "import type { B } from '../programs';",
      'import "./chain";',
      'export declare function f(): import("./chain").Chain;',
      'const lazy = () => import("./chain");',
    ].join("\n");

    // Then every relative specifier names its file; quotes are kept
    expect(rewriteRelativeSpecifiers(code, isFile)).toBe(
      [
        'export * from "./generated/index.js";',
        'import { a } from "./chain.js";',
        "import type { B } from '../programs.js';",
        'import "./chain.js";',
        'export declare function f(): import("./chain.js").Chain;',
        'const lazy = () => import("./chain.js");',
      ].join("\n"),
    );
  });

  it("leaves package specifiers alone", () => {
    const code = 'import { address } from "@solana/kit";\nimport { x25519 } from "@noble/curves/ed25519.js";';
    expect(rewriteRelativeSpecifiers(code, isFile)).toBe(code);
  });

  it("leaves comments alone: JSDoc examples quote other packages' files", () => {
    const code = '/**\n * @example\n * import * as codes from "./node-error-codes";\n */\n// import { x } from "./gone";';
    expect(rewriteRelativeSpecifiers(code, isFile)).toBe(code);
  });

  it("fails on a relative import that names no emitted file, rather than shipping it", () => {
    expect(() => rewriteRelativeSpecifiers('export * from "./missing";', isFile)).toThrow(/no emitted module for "\.\/missing"/);
  });
});
