/**
 * Measures the byte cost of length hiding (docs/privacy.md §7): prompt ciphertexts and response streams with the
 * v2 padding against the same bytes unpadded (v1 layout: 41-byte prompt overhead, 16-byte tag per chunk). Answers
 * are chunked the way the node flushes (first chunk at the first token, then every `flush.intervalMs` = 400 ms
 * or a full chunk) at the measured 55 tokens/s of docs/benchmarks.md and 4 bytes a token.
 *
 *   npx tsx scripts/measure-padding.ts
 */
import { getPaddedLength, PROMPT_PADDING_FLOOR, RESPONSE_CHUNK_PADDING_FLOOR } from "../clients/js/src/crypto";
import { getMaxResponseChunkPlaintextLength } from "../clients/js/src/crypto";

const TOKENS_PER_SECOND = 55;
const FLUSH_INTERVAL_MS = 400;
const BYTES_PER_TOKEN = 4;
const MAX_CHUNK_CIPHERTEXT = 913; // one append_response transaction (node/src/provider/chunk-size.ts)

function chunkSizes(tokens: number, maxChunk: number): number[] {
  const perInterval = Math.round((TOKENS_PER_SECOND * FLUSH_INTERVAL_MS) / 1000) * BYTES_PER_TOKEN;
  const sizes = [BYTES_PER_TOKEN]; // the first chunk: one token
  for (let left = (tokens - 1) * BYTES_PER_TOKEN; left > 0; left -= Math.min(left, perInterval, maxChunk))
    sizes.push(Math.min(left, perInterval, maxChunk));
  sizes.push(0); // the empty final chunk
  return sizes;
}

const promptRows = [100, 500, 2_000, 8_000].map((json) => {
  const before = json + 41;
  const after = getPaddedLength(json, PROMPT_PADDING_FLOOR) + 41;
  return `| ${json} B prompt JSON | ${before} | ${after} | +${after - before} (${(((after - before) / before) * 100).toFixed(0)}%) |`;
});
const answerRows = [100, 500, 2_000].map((tokens) => {
  const v1 = chunkSizes(tokens, MAX_CHUNK_CIPHERTEXT - 16);
  const v2 = chunkSizes(tokens, getMaxResponseChunkPlaintextLength(MAX_CHUNK_CIPHERTEXT));
  const before = v1.reduce((sum, n) => sum + 2 + n + 16, 0);
  const after = v2.reduce((sum, n) => sum + 2 + 24 + getPaddedLength(n, RESPONSE_CHUNK_PADDING_FLOOR) + 16, 0);
  return `| ${tokens}-token answer (${v2.length} chunks) | ${before} | ${after} | +${after - before} (${(((after - before) / before) * 100).toFixed(0)}%) |`;
});
console.log(
  ["| plaintext | v1 bytes on chain | v2 bytes on chain | cost |", "| --- | ---: | ---: | ---: |", ...promptRows, ...answerRows].join("\n"),
);
