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
  /**
   * With `promptsFirst` (CPU): an answer's first `firstTokens` tokens go before everything else (before the next
   * prompt and before older answers' next tokens), so each new request reaches its first visible chunk (the node
   * sends it after 4 tokens) with the least work in front of it: shortest remaining work to a first chunk first.
   * 0 or absent: off.
   */
  firstTokens?: number;
  /** The context sequence a batch item belongs to; undefined when unknown (the item then counts as an older answer). */
  sequenceOf?: (item: BatchItem) => number | undefined;
}>;

/**
 * node-llama-cpp batch prioritization for fair starts: prompts are taken whole and in arrival order (the first
 * request to arrive starts answering after its own prompt, not after everyone's), at most
 * `promptTokensPerStep` prompt tokens a step, and running answers either pause while prompts wait
 * (`promptsFirst`, CPU) or go first (GPU). On the CPU, answers still short of their `firstTokens` go first of all.
 *
 * @example
 * model.createContext({ sequences: 8, batching: { itemPrioritizationStrategy: fairStartsStrategy({ promptTokensPerStep: 64, promptsFirst: true }) } });
 */
export function fairStartsStrategy(options: FairStartsOptions) {
  const budget = Math.max(1, options.promptTokensPerStep);
  const firstTokens = options.promptsFirst ? (options.firstTokens ?? 0) : 0;
  /** Sequences short of their first tokens: running steps taken since their prompt. */
  const young = new Map<number, number>();
  return ({ items, size }: { items: readonly BatchItem[]; size: number }): PrioritizedBatchItem[] => {
    const running = items.filter((item) => item.tokens.length === 1);
    const prompts = items.filter((item) => item.tokens.length !== 1);
    const chosen: PrioritizedBatchItem[] = [];
    let left = size;
    const take = (from: readonly BatchItem[]) => {
      for (const item of from) {
        if (left === 0) return;
        chosen.push({ item, processAmount: 1 });
        left -= 1;
      }
    };
    if (firstTokens > 0) {
      // Each item's sequence, looked up once per step (and only when first tokens go first).
      const sequences = new Map(items.map((item) => [item, options.sequenceOf?.(item)]));
      for (const item of prompts) {
        const sequence = sequences.get(item);
        if (sequence !== undefined) young.set(sequence, 0);
      }
      const starting = running.filter((item) => young.has(sequences.get(item) ?? -1));
      if (starting.length > 0) {
        take(starting);
        for (const { item } of chosen) {
          const sequence = sequences.get(item)!;
          const steps = young.get(sequence)!;
          // The prompt step sampled the first token; each running step one more.
          if (steps + 2 >= firstTokens) young.delete(sequence);
          else young.set(sequence, steps + 1);
        }
        return chosen;
      }
    }
    if (!options.promptsFirst || prompts.length === 0) take(running);
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

/**
 * The sequence of a batch item, read from node-llama-cpp's queue of pending decodes (the item shares its `tokens`
 * array with the decode it was made from). That queue is internal to node-llama-cpp (pinned in package.json): when
 * its shape changes this finds nothing and {@link fairStartsStrategy} falls back to arrival order.
 *
 * @example
 * const holder: { context?: object } = {};
 * fairStartsStrategy({ ..., sequenceOf: (item) => queuedSequenceOf(holder.context, item) });
 */
export function queuedSequenceOf(context: object | undefined, item: BatchItem): number | undefined {
  const queued = (context as { _queuedDecodes?: unknown } | undefined)?._queuedDecodes;
  if (!Array.isArray(queued)) return undefined;
  const decode = (queued as readonly { tokens?: unknown; sequenceId?: unknown }[]).find((d) => d.tokens === item.tokens);
  return typeof decode?.sequenceId === "number" ? decode.sequenceId : undefined;
}
