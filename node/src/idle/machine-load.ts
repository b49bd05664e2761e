import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";

/** One reading of how busy the machine is with work other than this node's, in percent of its capacity. */
export type MachineLoad = Readonly<{
  /** CPU busy by other programs, 0–100 (all cores); null until a second reading gives a difference. */
  cpuPercent: number | null;
  /** Highest utilization over the NVIDIA GPUs (the node's own use included); null without `nvidia-smi`. */
  gpuPercent: number | null;
}>;

/** Where the node reads the machine's load (tests give their own). */
export type LoadSource = () => Promise<MachineLoad>;

/** CPU time counters of /proc/stat's first line, in clock ticks. */
type CpuTimes = Readonly<{ busy: number; total: number }>;

/**
 * Busy and total ticks of /proc/stat's aggregate `cpu` line (idle and iowait are not busy).
 *
 * @example
 * parseProcStat("cpu  100 0 50 800 50 0 0 0 0 0\n"); // { busy: 150, total: 1000 }
 */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return null;
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * CPU share used by other programs between two readings: the machine's busy share (from /proc/stat) minus this
 * process's own (from `process.cpuUsage`, every thread of it: llama.cpp's included), never below 0.
 *
 * @example
 * otherCpuPercent({ busy: 0, total: 0 }, { busy: 150, total: 200 }, 0.25); // 50
 */
export function otherCpuPercent(before: CpuTimes, after: CpuTimes, ownShare: number): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const machine = (after.busy - before.busy) / total;
  return Math.max(0, Math.min(100, (machine - ownShare) * 100));
}

/**
 * Parses `nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits`: one percentage per GPU; the highest.
 *
 * @example
 * parseNvidiaSmiUtilization("12\n87\n"); // 87
 */
export function parseNvidiaSmiUtilization(text: string): number | null {
  const values = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map(Number)
    .filter((n) => Number.isFinite(n));
  return values.length === 0 ? null : Math.max(...values);
}

function nvidiaSmiUtilization(): Promise<number | null> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"], { timeout: 3_000 }, (error, stdout) =>
      resolve(error ? null : parseNvidiaSmiUtilization(stdout)),
    );
  });
}

/**
 * The machine's load as the node measures it: CPU from /proc/stat differences minus this process's own CPU time
 * (where /proc is missing: the 1-minute load average over the cores, the node's own work included), GPU from
 * `nvidia-smi` when it is installed (checked once; its utilization includes the node's own kernels).
 *
 * @example
 * const sample = createMachineLoadSource();
 * const { cpuPercent } = await sample(); // null at the first call, then the share since the previous call
 */
export function createMachineLoadSource(options: { readonly gpu?: boolean } = {}): LoadSource {
  let previous: { times: CpuTimes; ownMicros: number; atMicros: number } | null = null;
  let hasNvidiaSmi: boolean | null = options.gpu === false ? false : null;
  const cores = availableParallelism();
  return async () => {
    let cpuPercent: number | null;
    const stat = await readFile("/proc/stat", "utf8").then(parseProcStat, () => null);
    if (stat) {
      const usage = process.cpuUsage();
      const now = { times: stat, ownMicros: usage.user + usage.system, atMicros: Number(process.hrtime.bigint() / 1000n) };
      const elapsed = previous ? now.atMicros - previous.atMicros : 0;
      cpuPercent =
        previous && elapsed > 0 ? otherCpuPercent(previous.times, stat, (now.ownMicros - previous.ownMicros) / (elapsed * cores)) : null;
      previous = now;
    } else cpuPercent = Math.min(100, (loadavg()[0]! / cores) * 100);
    let gpuPercent: number | null = null;
    if (hasNvidiaSmi !== false) {
      gpuPercent = await nvidiaSmiUtilization();
      hasNvidiaSmi ??= gpuPercent !== null;
    }
    return { cpuPercent, gpuPercent };
  };
}
