// The dashboard's top-10 chart: one horizontal bar per organisation, hours processed, drawn as
// SVG without a library. Names go in as text nodes (never markup); colours come from classes
// in styles.css (the strict CSP refuses inline styles). The chart is a list; each item holds
// its bar, a button: click, Enter or Space opens the organisation.

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 28;
const LABEL = 180;
const VALUE = 70;
const WIDTH = 640;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v != null) el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A name cut to fit the label column (the full name is in the bar's tooltip). */
function clip(text, max = 26) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * entries: [{customerId, name, hoursProcessed}], largest first. formatHours(n) -> string.
 * onOpen({id, name}). Returns the <svg> (id #dash-top-chart), or null for no entries.
 */
export function topChart(entries, { formatHours, onOpen }) {
  if (!entries.length) return null;
  const max = Math.max(...entries.map((e) => e.hoursProcessed), 0) || 1;
  const barSpace = WIDTH - LABEL - VALUE;
  const height = entries.length * ROW;
  const svg = s('svg', {
    id: 'dash-top-chart',
    class: 'top-chart',
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'list',
    'aria-label': 'Top organisations by hours processed',
  });
  entries.forEach((e, i) => {
    const y = i * ROW;
    const w = Math.max(2, (e.hoursProcessed / max) * barSpace);
    const label = `${e.name}: ${formatHours(e.hoursProcessed)}`;
    // A list of items, each holding one button ("listitem button" on one element names a role
    // and its fallback, not both: the list's children were not list items).
    // Named by the texts it shows (so what is read is what is seen); the full name, when the
    // label is cut, is in the item's title: the tooltip, and the button's description.
    const bar = s('g', {
      class: 'top-bar',
      'data-id': e.customerId,
      role: 'button',
      tabindex: '0',
      'aria-labelledby': `top-${i}-label top-${i}-value`,
      'aria-describedby': `top-${i}-full`,
    },
    s('text', { id: `top-${i}-label`, class: 'top-label', x: LABEL - 8, y: y + ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      // The trailing space is not drawn (SVG drops it) but keeps the name and the hours two
      // words for tools that read the bar's texts run together.
      `${clip(e.name)} `),
    s('rect', { class: 'top-rect', x: LABEL, y: y + 5, width: w.toFixed(1), height: ROW - 10, rx: 3 }),
    s('text', { id: `top-${i}-value`, class: 'top-value', x: LABEL + w + 6, y: y + ROW / 2, 'dominant-baseline': 'middle' }, formatHours(e.hoursProcessed)));
    const open = () => onOpen({ id: e.customerId, name: e.name });
    bar.addEventListener('click', open);
    bar.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      }
    });
    svg.append(s('g', { role: 'listitem' }, s('title', { id: `top-${i}-full` }, label), bar));
  });
  return svg;
}
