/** The examples `cancel`, `expire` and `rate` end their help with (definitions only). */

/**
 * Two example lines for `chainference <verb> <request>[extra]`, on localnet and on devnet with --json.
 *
 * @example
 * command.addHelpText("after", requestExamples("rate", " 5"));
 */
export function requestExamples(verb: string, extra = ""): string {
  return `
Examples:
  $ chainference ${verb} 9y8vP4wD3cXn1tqTQpJ6Yg4v9cWm2kq1dU5Jx3nW4sZa${extra} --url localnet
  $ chainference ${verb} 9y8vP4wD3cXn1tqTQpJ6Yg4v9cWm2kq1dU5Jx3nW4sZa${extra} --url devnet --json`;
}
