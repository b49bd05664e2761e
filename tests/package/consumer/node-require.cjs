// CommonJS: `require()` of the ESM-only package through Node's require(esm) (Node >= 20.19 / 22.12), the same
// way its @noble dependencies load. Prints one JSON line.
const client = require("@chainference/client");

console.log(JSON.stringify({ program: client.CHAINFERENCE_PROGRAM_ADDRESS, findConfigPda: typeof client.findConfigPda }));
