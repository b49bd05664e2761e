/** Untrusted text (answers, prompts read back from the chain) made harmless for a terminal. */

/** C0 controls except tab and newline, DEL, and the C1 controls (0x80-0x9f; 0x9b is a one-byte CSI). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Replaces every control character that a terminal would act on (ESC sequences, BEL, NUL, carriage return,
 * backspace…) with a visible stand-in: C0 with its Unicode control picture (ESC → ␛, NUL → ␀), DEL with ␡, C1
 * as `\x9b`. Tab and newline are kept.
 *
 * @example
 * neutralizeControlCharacters("\u001b[2Jhi\u0007"); // "␛[2Jhi␇"
 */
export function neutralizeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return `\\x${code.toString(16)}`;
  });
}
