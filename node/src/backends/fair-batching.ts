import type { BatchItem, PrioritizedBatchItem } from "node-llama-cpp";

/** How {@link fairStartsStrategy} fills a batched step. */
export type FairStartsOptions = Readonly<{
  /** Most prompt tokens in one step; a prompt longer than this continues in the next steps. */
  promptTokensPerStep: number;
  /**
   * `true` (CPU): while prompts wait, a step evaluates prompts only, whole ones in arrival order; running
   * answers pause for that step. On a compute-bound CPU every token in a step costs its full share, so a
   * new request's first token comes soonest when its prompt is not slowed by others' tokens.
   * `false` (GPU): every running answer's next token first, then prompts; extra rows in a step are nearly
   * free there, so nothing pauses.
   */
  promptsFirst: boolean;
}>;

/**
 * node-llama-cpp batch prioritization for fair starts: prompts are taken whole and in arrival order (the first
 * request to arrive starts answering after its own prompt, not after everyone's), at most
 * `promptTokensPerStep` prompt tokens a step, and running answers either pause while prompts wait
 * (`promptsFirst`, CPU) or go first (GPU).
 *
 * @example
 * model.createContext({ sequences: 8, batching: { itemPrioritizationStrategy: fairStartsStrategy({ promptTokensPerStep: 64, promptsFirst: true }) } });
 */
export function fairStartsStrategy(options: FairStartsOptions) {
  const budget = Math.max(1, options.promptTokensPerStep);
  return ({ items, size }: { items: readonly BatchItem[]; size: number }): PrioritizedBatchItem[] => {
    const running = items.filter((item) => item.tokens.length === 1);
    const prompts = items.filter((item) => item.tokens.length !== 1);
    const chosen: PrioritizedBatchItem[] = [];
    let left = size;
    const takeRunning = () => {
      for (const item of running) {
        if (left === 0) return;
        chosen.push({ item, processAmount: 1 });
        left -= 1;
      }
    };
    if (!options.promptsFirst || prompts.length === 0) takeRunning();
    let promptLeft = Math.min(left, budget);
    for (const [i, item] of prompts.entries()) {
      // Whole prompts only, except the first when it alone exceeds the budget.
      const processAmount = i === 0 ? Math.min(item.tokens.length, promptLeft) : item.tokens.length;
      if (processAmount === 0 || processAmount > promptLeft) break;
      chosen.push({ item, processAmount });
      promptLeft -= processAmount;
    }
    return chosen;
  };
}
