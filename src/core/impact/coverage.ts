import { asRecord } from './jsonc.js';

/**
 * Coverage files as test runners write them: lcov (`lcov.info`), Istanbul JSON (`coverage-final.json`,
 * nyc / jest / vitest's istanbul and v8 providers) and raw V8 coverage (`NODE_V8_COVERAGE` output).
 * Parsed into per-file line hit counts; V8 byte ranges are turned into lines against the file's text
 * when it is known.
 */

export interface V8Range {
  startOffset: number;
  endOffset: number;
  count: number;
}

export interface V8Function {
  functionName: string;
  ranges: V8Range[];
  isBlockCoverage?: boolean;
}

/** Coverage of one file as the coverage file names it (a production/CI path, not yet mapped). */
export interface FileCoverage {
  path: string;
  /** 1-based line -> hit count, for formats that count lines. */
  lines?: Map<number, number>;
  /** V8 function ranges (byte offsets into the executed text). */
  v8?: V8Function[];
}

export type CoverageFormat = 'lcov' | 'istanbul' | 'v8';

/** Parses a coverage file, detecting its format from the content. Throws on an unreadable file. */
export function parseCoverage(text: string, name: string): { format: CoverageFormat; files: FileCoverage[] } {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    if (/^(?:TN|SF):/m.test(text)) return { format: 'lcov', files: parseLcov(text) };
    throw new Error(`${name}: not a coverage file (expected lcov, Istanbul JSON or V8 coverage JSON)`);
  }
  const json: unknown = JSON.parse(text);
  const record = asRecord(json);
  if (record && Array.isArray(record.result)) return { format: 'v8', files: parseV8Coverage(record.result) };
  if (record) return { format: 'istanbul', files: parseIstanbul(record) };
  throw new Error(`${name}: not a coverage file (expected lcov, Istanbul JSON or V8 coverage JSON)`);
}

/** lcov: `SF:` opens a file, `DA:line,count` gives hits, `end_of_record` closes it. */
export function parseLcov(text: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('SF:')) {
      current = { path: line.slice(3), lines: new Map() };
      files.push(current);
    } else if (line.startsWith('DA:') && current) {
      const [lineNumber, hits] = line.slice(3).split(',');
      const n = Number(lineNumber);
      const count = Number(hits);
      if (Number.isFinite(n) && Number.isFinite(count)) current.lines!.set(n, Math.max(current.lines!.get(n) ?? 0, count));
    } else if (line === 'end_of_record') {
      current = undefined;
    }
  }
  return files;
}

interface Position {
  line?: number;
}

/** Istanbul's coverage-final.json: statement ranges with hit counts, keyed by file path. */
export function parseIstanbul(json: Record<string, unknown>): FileCoverage[] {
  const files: FileCoverage[] = [];
  for (const [key, value] of Object.entries(json)) {
    const entry = asRecord(value);
    // A coverage-summary-like entry or a wrapper ({ data: {...} }) written by some tools.
    const data = entry && asRecord(entry.data) && asRecord(entry.statementMap) === undefined ? asRecord(entry.data)! : entry;
    if (!data) continue;
    const statementMap = asRecord(data.statementMap);
    const hits = asRecord(data.s);
    if (!statementMap || !hits) continue;
    const lines = new Map<number, number>();
    // As istanbul-lib-coverage does: a line's count is the highest count of the statements starting on it.
    for (const [id, location] of Object.entries(statementMap)) {
      const start = asRecord(asRecord(location)?.start) as Position | undefined;
      if (start?.line === undefined) continue;
      const count = Number(hits[id] ?? 0);
      lines.set(start.line, Math.max(lines.get(start.line) ?? 0, count));
    }
    files.push({ path: typeof data.path === 'string' ? data.path : key, lines });
  }
  return files;
}

/** NODE_V8_COVERAGE: `{ result: [{ url, functions: [{ functionName, ranges }] }] }`. */
export function parseV8Coverage(result: unknown[]): FileCoverage[] {
  const files: FileCoverage[] = [];
  for (const script of result) {
    const record = asRecord(script);
    if (!record || typeof record.url !== 'string' || !record.url || record.url.startsWith('node:')) continue;
    const functions: V8Function[] = [];
    for (const fn of Array.isArray(record.functions) ? record.functions : []) {
      const f = asRecord(fn);
      if (!f || !Array.isArray(f.ranges)) continue;
      const ranges = f.ranges
        .map((range) => asRecord(range))
        .filter((range): range is Record<string, unknown> => range !== undefined)
        .map((range) => ({ startOffset: Number(range.startOffset), endOffset: Number(range.endOffset), count: Number(range.count) }));
      functions.push({
        functionName: typeof f.functionName === 'string' ? f.functionName : '',
        ranges,
        ...(typeof f.isBlockCoverage === 'boolean' ? { isBlockCoverage: f.isBlockCoverage } : {}),
      });
    }
    files.push({ path: record.url, v8: functions });
  }
  return files;
}

/**
 * Line hit counts from V8 ranges against the text that ran: each line takes the count of the innermost
 * (latest-starting, V8 nests them) range holding its first non-blank character. Node strips TypeScript
 * types by blanking them out, so offsets into a .ts file still line up with its text.
 */
export function v8LineCounts(functions: V8Function[], text: string): Map<number, number> {
  const ranges = functions.flatMap((fn) => fn.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const lines = new Map<number, number>();
  let offset = 0;
  let lineNumber = 1;
  while (offset <= text.length) {
    const end = text.indexOf('\n', offset);
    const lineEnd = end < 0 ? text.length : end;
    const content = text.slice(offset, lineEnd);
    const firstNonBlank = content.search(/\S/);
    if (firstNonBlank >= 0 && !/^\s*(?:\/\/|\/\*|\*|\}|\)|\]|;|$)/.test(content)) {
      const at = offset + firstNonBlank;
      let count: number | undefined;
      for (const range of ranges) {
        if (range.startOffset > at) break;
        if (range.endOffset > at) count = range.count; // later-starting ranges are nested deeper
      }
      if (count !== undefined) lines.set(lineNumber, count);
    }
    if (end < 0) break;
    offset = end + 1;
    lineNumber++;
  }
  return lines;
}
