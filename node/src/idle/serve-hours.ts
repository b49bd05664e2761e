/** Daily windows in local time when the node may take work, e.g. `22:00-07:00` (crossing midnight) or `09:00-12:00,14:00-18:00`. */
export type ServeHours = Readonly<{ text: string; windows: readonly Readonly<{ fromMinute: number; toMinute: number }>[] }>;

const TIME = /^([01]?\d|2[0-4]):([0-5]\d)$/;

function minuteOfDay(text: string, whole: string): number {
  const match = TIME.exec(text.trim());
  const minute = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || minute > 24 * 60) throw new Error(`serve hours "${whole}": "${text}" is not a time of day (HH:MM, 00:00 to 24:00)`);
  return minute;
}

/**
 * Parses serve hours: comma-separated `HH:MM-HH:MM` windows in local time; a window whose end is before its start
 * crosses midnight (`22:00-07:00`), `00:00-24:00` is all day.
 *
 * @throws with a message naming the bad part, e.g. for `22-07` or `10:00-10:00`.
 * @example
 * parseServeHours("22:00-07:00"); // nights
 */
export function parseServeHours(text: string): ServeHours {
  const parts = text.split(",").map((p) => p.trim());
  if (text.trim() === "" || parts.some((p) => p === ""))
    throw new Error(`serve hours "${text}" must be windows like 22:00-07:00, separated by commas`);
  const windows = parts.map((part) => {
    const ends = part.split("-");
    if (ends.length !== 2) throw new Error(`serve hours "${text}": "${part}" must be a window like 22:00-07:00`);
    const fromMinute = minuteOfDay(ends[0]!, text);
    const toMinute = minuteOfDay(ends[1]!, text);
    if (fromMinute === toMinute) throw new Error(`serve hours "${text}": "${part}" is empty (start equals end)`);
    return { fromMinute, toMinute };
  });
  return { text: text.trim(), windows };
}

/**
 * True when `date` (its local time of day) falls in one of the windows: start included, end excluded.
 *
 * @example
 * isWithinServeHours(parseServeHours("22:00-07:00"), new Date(2026, 0, 1, 23, 30)); // true
 */
export function isWithinServeHours(hours: ServeHours, date: Date): boolean {
  const minute = date.getHours() * 60 + date.getMinutes();
  return hours.windows.some(({ fromMinute, toMinute }) =>
    fromMinute < toMinute ? minute >= fromMinute && minute < toMinute : minute >= fromMinute || minute < toMinute,
  );
}
