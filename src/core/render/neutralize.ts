/**
 * Text from a pull request (a method name, a string, a path) reaches markdown, annotations and terminals.
 * There a line terminator can end a code span or a list item and open an HTML comment that hides what
 * follows, and a raw control character (ESC, BEL, NUL) can drive a terminal. Every renderer passes such text
 * through one of these helpers, so there is one definition of what is dangerous.
 */

/**
 * Every line terminator a reader of our output may honour: CommonMark's (`\r\n`, `\r`, `\n`), JavaScript's
 * and some editors' (U+2028, U+2029), and NEL (U+0085), VT and FF that some renderers break on.
 */
const LINE_TERMINATORS = /\r\n|[\r\n\u2028\u2029\u0085\v\f]/g;

/** C0 controls except tab and the line terminators above, DEL, and the C1 controls (CSI is U+009B). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f]/g;

/** A control character made visible: `\x1b` for ESC, so the reader sees that something was there. */
function visible(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * One line of text: every line terminator (with the blanks around it) becomes one space, every control
 * character its visible `\xNN` form. What a code span, a list item or an annotation title can hold.
 */
export function oneLine(text: string): string {
  return text.replace(/[ \t]*(?:\r\n|[\r\n\u2028\u2029\u0085\v\f])[ \t]*/g, ' ').replace(CONTROL_CHARACTERS, visible);
}

/**
 * Text of several lines with `\n` as the only line break: `\r\n` and lone `\r` become `\n` (CommonMark would
 * end the line there anyway, so a fence is measured on the lines it will really have), U+2028/U+2029 and
 * the other terminators become `\n` too, control characters their visible form.
 */
export function normalizeLines(text: string): string {
  return text.replace(LINE_TERMINATORS, '\n').replace(CONTROL_CHARACTERS, visible);
}
