// Idle-time serving: when the node takes work (load, serve hours, the hand pause).
export {
  createMachineLoadSource,
  otherCpuPercent,
  parseNvidiaSmiUtilization,
  parseProcStat,
  type LoadSource,
  type MachineLoad,
} from "./machine-load";
export { pauseFilePath, pauseServing, readPauseFile, resumeServing } from "./pause-file";
export { isWithinServeHours, parseServeHours, type ServeHours } from "./serve-hours";
export { createServingGate, defaultIdlePolicy, type IdlePolicy, type ServingGate, type ServingState } from "./serving-gate";
