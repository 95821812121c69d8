/**
 * Control characters in text vgrad did not write itself (a record edited by hand, a folder name, a
 * file): ESC and BEL in a run id drove the terminal (`\e]0;…\a` set its title) and made every SVG
 * invalid XML, which no escaping can fix (XML 1.0 has no way to write ESC). They are shown as
 * `\x1b`: C0 (0x00–0x1f, tab and newline included: one value is one line), DEL and C1 (0x80–0x9f).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every control character written as \xHH. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Whether `text` holds a control character. */
export function hasControls(text: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/** A copy of a parsed JSON value with escapeControls applied to every string (keys included). */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (Array.isArray(value)) return (value.some(needsEscape) ? value.map(escapeStrings) : value) as T;
  if (value !== null && typeof value === 'object') {
    if (!needsEscape(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [escapeControls(key), escapeStrings(item)])) as T;
  }
  return value;
}

/** Whether a JSON value holds a control character anywhere (checked first: records are large, and clean). */
function needsEscape(value: unknown): boolean {
  if (typeof value === 'string') return hasControls(value);
  if (Array.isArray(value)) return value.some(needsEscape);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => hasControls(key) || needsEscape(item));
  return false;
}
