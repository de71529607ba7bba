// Numbers, dates and phone numbers as the user reads them (the system's locale).

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

// ITU country calling codes are prefix-free: these are the one- and two-digit ones; every other
// code has three digits.
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGIT = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47',
  '48', '49', '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65',
  '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

/**
 * An E.164 number readable at a glance: the country code set apart ("+31 201234567"). The
 * organisation page shows the full international format from validate_customer instead.
 */
export function formatPhone(phone) {
  if (!phone) return '';
  const m = /^\+(\d{6,15})$/.exec(phone.trim());
  if (!m) return phone;
  const digits = m[1];
  const cc = ONE_DIGIT.has(digits[0]) ? 1 : TWO_DIGIT.has(digits.slice(0, 2)) ? 2 : 3;
  return `+${digits.slice(0, cc)} ${digits.slice(cc)}`;
}

/** A phone number reduced to what identifies it, for "has it changed?" comparisons. */
export const phoneKey = (phone) => (phone ?? '').replace(/[\s\-().]/g, '');
