// What the read-only tabs (usage, transcriptions) say about the data they show: how fresh it
// is ("as of ..."), and what the last attempt to reach Scriptix found (offline is calm; any
// other failure is said in plain words beside the data, never instead of it).

/** "As of 27 Nov 2026, 15:40 (3 min ago)", and what is happening to it. */
export function asOfText(asOf, { refreshing = false, offline = false } = {}) {
  if (!asOf?.fetchedAt) {
    if (offline) return 'Not loaded yet: it loads when the connection returns.';
    return refreshing ? 'Loading from Scriptix…' : 'Not loaded yet.';
  }
  // Both times come display-ready from the core; "3 min ago" as of the read (every change re-reads).
  const when = `As of ${asOf.fetchedAtText} (${asOf.fetchedAgoText})`;
  if (offline) return `${when} · offline, showing the copy on this computer`;
  if (refreshing) return `${when} · refreshing…`;
  return when;
}

/** The failure of the last fetch, as a sentence, or ''. */
export function problemText(live) {
  if (!live?.problem) return '';
  return `Could not refresh from Scriptix: ${live.problem.message}`;
}
