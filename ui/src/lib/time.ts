// Times as people at the venue read them: in the competition's time zone
// (an IANA name such as Europe/London), 24-hour clock, with the date only
// when it is not today there. The backend sends RFC 3339 UTC instants.

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: timeZone || undefined });
  } catch {
    // An unknown zone name: the machine's own zone is the best guess left.
    return new Intl.DateTimeFormat("en-GB", options);
  }
}

/** `14:49:32`, or `5 Dec 14:49:32` when the instant is not on today's date in `timeZone`. */
export function localTime(iso: string | null | undefined, timeZone: string, now: Date = new Date()): string {
  if (!iso) return "";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const clock = formatter(timeZone, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(at);
  const day = formatter(timeZone, { day: "numeric", month: "short", year: "numeric" });
  if (day.format(at) === day.format(now)) return clock;
  const short = formatter(timeZone, { day: "numeric", month: "short" }).format(at);
  return `${short} ${clock}`;
}
