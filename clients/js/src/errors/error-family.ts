import { CHAINFERENCE_CODED_ERROR_NAMES, CHAINFERENCE_ERROR_LAYERS, type ChainferenceErrorLayerKey } from "./layers";

/** Code → context of one layer's errors (`undefined` for a code without context). */
export type ErrorContextMap = { readonly [code: number]: unknown };

/** A message for each code of a layer, built from the code's context (the compiler checks every field it reads). */
export type ErrorMessages<TMap extends ErrorContextMap> = { readonly [C in keyof TMap]: (context: TMap[C]) => string };

/** What {@link defineErrorFamily} returns: the pieces a layer's error class and guard are made of. */
export type ErrorFamily<TMap extends ErrorContextMap> = Readonly<{
  layer: ChainferenceErrorLayerKey;
  /** `name` of every error of the family. */
  errorName: string;
  /** The stable name of a code (the name of its constant), e.g. `CHAINFERENCE_ERROR__NODE__CONFIG_MISSING`. */
  getName(code: keyof TMap & number): string;
  getMessage<C extends keyof TMap & number>(code: C, context: TMap[C]): string;
  /**
   * True when `e` is an error of this family, with `code` when one is given (whose context type is then known).
   * Checks the name and the code, not `instanceof`, so it holds across two copies of a package.
   */
  is<C extends keyof TMap & number = keyof TMap & number>(e: unknown, code?: C): e is ChainferenceCodedError<TMap, C>;
}>;

const CODE_PREFIX = "CHAINFERENCE_ERROR__";

/** The `CHAINFERENCE_ERROR__*` number constants of a codes module, by code. */
function namesByCode(codes: Readonly<Record<string, unknown>>): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, code] of Object.entries(codes)) {
    if (!name.startsWith(CODE_PREFIX) || typeof code !== "number") continue;
    const taken = names.get(code);
    if (taken !== undefined) throw new Error(`error code ${code} is both ${taken} and ${name}`);
    names.set(code, name);
  }
  return names;
}

/** Throws unless `name`'s area belongs to `layer` and `code` sits in that area's range. */
function assertInLayer(layer: ChainferenceErrorLayerKey, name: string, code: number): void {
  const areas: Readonly<Record<string, readonly [number, number]>> = CHAINFERENCE_ERROR_LAYERS[layer].areas;
  const area = name.slice(CODE_PREFIX.length).split("__")[0]!;
  const range = areas[area];
  if (!range) throw new Error(`${name}: the ${layer} layer has no area ${area} (it has ${Object.keys(areas).join(", ")})`);
  if (code < range[0] || code > range[1]) throw new Error(`${name} = ${code} is outside ${area}'s range ${range[0]}–${range[1]}`);
}

/**
 * Defines one layer's errors from its codes module (the `CHAINFERENCE_ERROR__*` constants, whose names become the
 * codes' stable names) and a message per code. Throws, when the module loads, if a code is outside its layer's
 * area ranges ({@link CHAINFERENCE_ERROR_LAYERS}), is used twice, or lacks a message: a misplaced code never ships.
 *
 * @example
 * ```ts
 * import * as codes from "./node-error-codes";
 * const NODE_ERRORS = defineErrorFamily<NodeErrorContext>("node", codes, {
 *   [codes.CHAINFERENCE_ERROR__NODE__CONFIG_MISSING]: ({ path }) => `Node configuration file ${path} does not exist`,
 * });
 * ```
 */
export function defineErrorFamily<TMap extends ErrorContextMap>(
  layer: ChainferenceErrorLayerKey,
  codes: Readonly<Record<string, unknown>>,
  messages: ErrorMessages<TMap>,
): ErrorFamily<TMap> {
  const names = namesByCode(codes);
  for (const [code, name] of names) {
    assertInLayer(layer, name, code);
    if (!(code in messages)) throw new Error(`${name} has no message`);
  }
  for (const code of Object.keys(messages))
    if (!names.has(Number(code))) throw new Error(`message for unknown ${layer} error code ${code}`);
  const errorName = CHAINFERENCE_ERROR_LAYERS[layer].errorName;
  const format = messages as Readonly<Record<number, (context: unknown) => string>>;
  return {
    layer,
    errorName,
    getName: (code) => names.get(code)!,
    getMessage: (code, context) => format[code]!(context),
    is: <C extends keyof TMap & number>(e: unknown, code?: C): e is ChainferenceCodedError<TMap, C> =>
      isChainferenceCodedError(e, code) && e.name === errorName,
  };
}

/**
 * What every off-chain Chainference error has: a numeric `code` in its layer's range, the code's typed `context`,
 * a message rendered from them, and the layer's error name as `name` (so a guard needs no `instanceof`, which
 * fails across two copies of a package).
 */
export abstract class ChainferenceCodedError<TMap extends ErrorContextMap, TCode extends keyof TMap & number> extends Error {
  readonly code: TCode;
  readonly context: TMap[TCode];

  protected constructor(family: ErrorFamily<TMap>, code: TCode, context: TMap[TCode], options?: ErrorOptions) {
    super(family.getMessage(code, context), options);
    this.name = family.errorName;
    this.code = code;
    this.context = context;
  }
}

/** Any off-chain Chainference error, as the cross-layer guard sees it. */
export type AnyChainferenceCodedError = ChainferenceCodedError<ErrorContextMap, number>;

/**
 * True when `e` is an error of any off-chain layer (SDK, backend or node), optionally with a given code. For a
 * typed `context`, use the layer's own guard (`isChainferenceClientError`, `isChainferenceNodeError`,
 * `isChainferenceBackendError`).
 *
 * @example
 * ```ts
 * if (isChainferenceCodedError(e)) console.error(`${e.code}: ${e.message}`);
 * ```
 */
export function isChainferenceCodedError(e: unknown, code?: number): e is AnyChainferenceCodedError {
  if (!(e instanceof Error) || !CHAINFERENCE_CODED_ERROR_NAMES.has(e.name) || !("context" in e)) return false;
  const own = (e as { code?: unknown }).code;
  return typeof own === "number" && (code === undefined || own === code);
}
