// Building DOM without HTML strings: every text goes in as a text node, so a name or message
// from a server can never become markup.

/**
 * h('button', {id: 'x', class: 'primary', onclick: fn}, 'Label', childNode, ...)
 * Props: `class`, `dataset` (object), `on<event>` (listener), booleans (set when true),
 * anything else as an attribute. Children: nodes, strings (as text), arrays, null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Runs `fn` after the browser has painted the current state (two animation frames). */
export function afterPaint(fn) {
  requestAnimationFrame(() => requestAnimationFrame(fn));
}

/** `fn` called once `ms` after the last call (the latest arguments win); `.cancel()` drops it. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  debounced.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return debounced;
}

/** Whether a key event comes from a field that takes text (its keys are the user's typing). */
export function isTyping(event) {
  const t = event.target;
  if (!(t instanceof Element)) return false;
  if (t.isContentEditable) return true;
  if (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  return t.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes(t.type);
}

/** Ctrl on Linux and Windows, Cmd on macOS. */
export const primaryModifier = (event) => event.ctrlKey || event.metaKey;

const marked = new Set();

/** A `performance.mark` made once per page: the start's steps, read by the desktop benchmark. */
export function markOnce(name) {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}
