import type { ServedModelConfig } from "../config/node-config";

/** Weight of the latest measured speed in the moving average. */
export const SPEED_WEIGHT = 0.3;

/**
 * The exponential moving average after one more measurement (the measurement itself when there is none yet).
 *
 * @example
 * nextSpeedAverage(undefined, 20); // 20
 * nextSpeedAverage(20, 30); // 23
 */
export function nextSpeedAverage(previous: number | undefined, measured: number): number {
  return previous === undefined ? measured : previous + SPEED_WEIGHT * (measured - previous);
}

/** Measured generation speed per model, which screening and recovery use to promise deadlines. */
export type SpeedAverages = Readonly<{
  /** The model's average tokens per second, or the configured estimate before the first measurement. */
  tokensPerSecond(model: ServedModelConfig): number;
  record(model: ServedModelConfig, tokensPerSecond: number): void;
}>;

/**
 * Creates empty speed averages that answer `estimatedTokensPerSecond` until a model has been measured.
 *
 * @example
 * const speeds = createSpeedAverages(config.estimatedTokensPerSecond);
 */
export function createSpeedAverages(estimatedTokensPerSecond: number): SpeedAverages {
  const byModel = new Map<string, number>();
  return {
    tokensPerSecond: (model) => byModel.get(model.hfId) ?? estimatedTokensPerSecond,
    record: (model, tokensPerSecond) => {
      byModel.set(model.hfId, nextSpeedAverage(byModel.get(model.hfId), tokensPerSecond));
    },
  };
}
