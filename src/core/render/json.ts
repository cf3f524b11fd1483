import type { Report } from '../model.js';

/** Renders the report as one JSON document (CONTRACT §2), pretty-printed, ending with a newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
