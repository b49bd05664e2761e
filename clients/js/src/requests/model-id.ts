/** Longest Hugging Face id the program accepts. */
export const MAX_MODEL_ID_LENGTH = 96;

const PART = /^[A-Za-z0-9._-]+$/;

/**
 * Why `id` is not a Hugging Face `org/name` id the program accepts, or null when it is.
 * Same rules as the program: one `/`, parts of `[A-Za-z0-9._-]` not starting or ending with `-`
 * or `.`, no `--` or `..`, at most 96 bytes.
 *
 * @example
 * validateModelId("google/gemma-3-270m-it"); // null
 * validateModelId("gemma"); // "expected org/name"
 */
export function validateModelId(id: string): string | null {
  if (new TextEncoder().encode(id).length > MAX_MODEL_ID_LENGTH) return `longer than ${MAX_MODEL_ID_LENGTH} bytes`;
  const parts = id.split("/");
  if (parts.length !== 2) return "expected org/name";
  for (const part of parts) {
    if (part.length === 0) return "empty org or name";
    if (!PART.test(part)) return "only letters, digits, '.', '_' and '-' are allowed";
    if (/^[-.]|[-.]$/.test(part)) return "a part may not start or end with '-' or '.'";
    if (part.includes("--") || part.includes("..")) return "'--' and '..' are not allowed";
  }
  return null;
}
