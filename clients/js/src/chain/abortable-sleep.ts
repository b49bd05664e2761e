/** The SDK's abortable wait (the hand-off loop uses it too), where the CLI's callers import it from. */
export { abortableSleep } from "@chainference/client";
