// Numbers and dates as the user reads them (the system's locale). Phones arrive formatted
// from the core (phoneDisplay).

const numbers = new Intl.NumberFormat();
const dates = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimes = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatNumber = (n) => numbers.format(n);

function parse(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? null : new Date(t);
}

/** "12 Mar 2025" (in the locale's order); '' for no date. */
export function formatDate(iso) {
  const d = parse(iso);
  return d ? dates.format(d) : '';
}

export function formatDateTime(iso) {
  const d = parse(iso);
  return d ? dateTimes.format(d) : '';
}

/** "just now", "3 min ago", "2 h ago", "yesterday", "4 days ago", else the date. */
export function relativeTime(iso, now = Date.now()) {
  const d = parse(iso);
  if (!d) return '';
  const seconds = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return `on ${dates.format(d)}`;
}

/** "1 organisation", "1,234 organisations", "More than 100,000 organisations". */
export function countLabel(total, exact = true) {
  const noun = total === 1 && exact ? 'organisation' : 'organisations';
  if (!exact) return `More than ${formatNumber(total)} ${noun}`;
  if (total === 0) return 'No organisations';
  return `${formatNumber(total)} ${noun}`;
}
