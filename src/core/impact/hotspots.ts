import type { ChangedUnit, Hotspot } from '../model.js';
import { asRecord } from './jsonc.js';
import type { ProductionPathMapper } from './prod-paths.js';

/**
 * Production signals: OpenTelemetry traces (OTLP JSON, both the request document and the file
 * exporter's JSON lines), V8 coverage from NODE_V8_COVERAGE (function call counts), Istanbul function
 * counts, and a plain CSV/JSON of `file, function, calls, errors, p95` any APM export can produce.
 * Each becomes records of (production path, function, line, calls, errors, p95), mapped onto the
 * repository and matched with the changed units.
 */

export type HotspotSource = 'otlp' | 'v8' | 'istanbul' | 'csv';

export interface HotspotRecord {
  source: HotspotSource;
  /** Path as production reported it. */
  path: string;
  function?: string;
  line?: number;
  calls: number;
  errors?: number;
  p95?: number;
}

/** Parses one hotspot file, detecting the format from the content. Throws when it is none of them. */
export function parseHotspots(text: string, name: string): HotspotRecord[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // OTLP file exporter: one JSON document per line.
      const documents = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
      return aggregateSpans(documents.flatMap((document) => collectSpans(document)));
    }
    const record = asRecord(json);
    if (record && Array.isArray(record.resourceSpans)) return aggregateSpans(collectSpans(record));
    if (record && Array.isArray(record.result)) return parseV8Calls(record.result);
    if (Array.isArray(json))
      return parseSimpleRows(
        json.map((row) => asRecord(row) ?? {}),
        name,
      );
    if (record && Array.isArray(record.hotspots))
      return parseSimpleRows(
        record.hotspots.map((row) => asRecord(row) ?? {}),
        name,
      );
    if (record && Object.values(record).some((value) => asRecord(asRecord(value)?.fnMap))) return parseIstanbulCalls(record);
    throw new Error(`${name}: JSON that is neither OTLP traces, V8 coverage, Istanbul coverage nor a list of {file, function, calls}`);
  }
  return parseSimpleRows(parseCsv(text), name);
}

interface Span {
  attributes: Map<string, string | number>;
  durationMs?: number;
  error: boolean;
}

function attributeValue(value: unknown): string | number | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  if (typeof record.stringValue === 'string') return record.stringValue;
  if (record.intValue !== undefined) return Number(record.intValue);
  if (typeof record.doubleValue === 'number') return record.doubleValue;
  return undefined;
}

function collectSpans(document: unknown): Span[] {
  const spans: Span[] = [];
  for (const resourceSpans of asArray(asRecord(document)?.resourceSpans)) {
    for (const scopeSpans of asArray(asRecord(resourceSpans)?.scopeSpans ?? asRecord(resourceSpans)?.instrumentationLibrarySpans)) {
      for (const rawSpan of asArray(asRecord(scopeSpans)?.spans)) {
        const span = asRecord(rawSpan);
        if (!span) continue;
        const attributes = new Map<string, string | number>();
        for (const attribute of asArray(span.attributes)) {
          const entry = asRecord(attribute);
          const value = attributeValue(entry?.value);
          if (typeof entry?.key === 'string' && value !== undefined) attributes.set(entry.key, value);
        }
        const start = Number(span.startTimeUnixNano);
        const end = Number(span.endTimeUnixNano);
        const durationMs = Number.isFinite(start) && Number.isFinite(end) && end >= start ? (end - start) / 1e6 : undefined;
        // STATUS_CODE_ERROR is 2 (it may come as the enum's name).
        const code = asRecord(span.status)?.code;
        spans.push({ attributes, ...(durationMs !== undefined ? { durationMs } : {}), error: code === 2 || code === 'STATUS_CODE_ERROR' });
      }
    }
  }
  return spans;
}

/** Groups spans by code location (current and older semantic conventions) into call/error/p95 figures. */
function aggregateSpans(spans: Span[]): HotspotRecord[] {
  const groups = new Map<string, { path: string; fn?: string; line?: number; calls: number; errors: number; durations: number[] }>();
  for (const span of spans) {
    const path = span.attributes.get('code.file.path') ?? span.attributes.get('code.filepath');
    if (typeof path !== 'string') continue;
    let fn = span.attributes.get('code.function.name') ?? span.attributes.get('code.function');
    const namespace = span.attributes.get('code.namespace');
    if (typeof fn === 'string' && typeof namespace === 'string' && !fn.includes('.')) fn = `${namespace}.${fn}`;
    const line = span.attributes.get('code.line.number') ?? span.attributes.get('code.lineno');
    const key = `${path}\0${fn ?? ''}`;
    const group = groups.get(key) ?? {
      path,
      ...(typeof fn === 'string' ? { fn } : {}),
      ...(typeof line === 'number' ? { line } : {}),
      calls: 0,
      errors: 0,
      durations: [],
    };
    group.calls++;
    if (span.error) group.errors++;
    if (span.durationMs !== undefined) group.durations.push(span.durationMs);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => ({
    source: 'otlp' as const,
    path: group.path,
    ...(group.fn !== undefined ? { function: group.fn } : {}),
    ...(group.line !== undefined ? { line: group.line } : {}),
    calls: group.calls,
    errors: group.errors,
    ...(group.durations.length ? { p95: percentile(group.durations, 0.95) } : {}),
  }));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]! * 100) / 100;
}

/** V8 coverage: the first range of a function holds how many times it was called. */
function parseV8Calls(result: unknown[]): HotspotRecord[] {
  const records: HotspotRecord[] = [];
  for (const script of result) {
    const record = asRecord(script);
    if (!record || typeof record.url !== 'string' || record.url.startsWith('node:')) continue;
    for (const fn of asArray(record.functions)) {
      const f = asRecord(fn);
      const name = f?.functionName;
      const first = asRecord(asArray(f?.ranges)[0]);
      if (typeof name !== 'string' || name === '' || !first) continue;
      records.push({ source: 'v8', path: record.url, function: name, calls: Number(first.count) || 0 });
    }
  }
  return records;
}

/** Istanbul: `fnMap` names the functions and where they start, `f` counts their calls. */
function parseIstanbulCalls(json: Record<string, unknown>): HotspotRecord[] {
  const records: HotspotRecord[] = [];
  for (const [key, value] of Object.entries(json)) {
    const entry = asRecord(value);
    const fnMap = asRecord(entry?.fnMap);
    const counts = asRecord(entry?.f);
    if (!entry || !fnMap || !counts) continue;
    const path = typeof entry.path === 'string' ? entry.path : key;
    for (const [id, fn] of Object.entries(fnMap)) {
      const info = asRecord(fn);
      const name = info?.name;
      const line = asRecord(asRecord(info?.decl)?.start)?.line ?? asRecord(asRecord(info?.loc)?.start)?.line;
      if (typeof name !== 'string') continue;
      const anonymous = /^\(anonymous_\d+\)$/.test(name);
      records.push({
        source: 'istanbul',
        path,
        ...(anonymous ? {} : { function: name }),
        ...(typeof line === 'number' ? { line } : {}),
        calls: Number(counts[id]) || 0,
      });
    }
  }
  return records;
}

const COLUMN_ALIASES: Record<string, string[]> = {
  path: ['file', 'path', 'filepath', 'file_path', 'code.file.path', 'code.filepath', 'source', 'filename'],
  function: ['function', 'func', 'symbol', 'method', 'name', 'code.function.name', 'code.function', 'operation'],
  line: ['line', 'lineno', 'line_number', 'code.lineno', 'code.line.number'],
  calls: ['calls', 'count', 'hits', 'requests', 'invocations', 'executions', 'throughput'],
  errors: ['errors', 'error_count', 'failures', 'exceptions'],
  p95: ['p95', 'p95_ms', 'latency_p95', 'p95ms', 'duration_p95'],
};

function pick(row: Record<string, unknown>, field: string): unknown {
  for (const alias of COLUMN_ALIASES[field]!) {
    for (const key of Object.keys(row)) if (key.toLowerCase().trim() === alias) return row[key];
  }
  return undefined;
}

function parseSimpleRows(rows: Record<string, unknown>[], name: string): HotspotRecord[] {
  const records: HotspotRecord[] = [];
  for (const row of rows) {
    const path = pick(row, 'path');
    if (typeof path !== 'string' || path === '') continue;
    const fn = pick(row, 'function');
    const numberOf = (field: string): number | undefined => {
      const value = pick(row, field);
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value.trim().replace(/ms$/, ''))
            : NaN;
      return Number.isFinite(n) ? n : undefined;
    };
    const line = numberOf('line');
    const errors = numberOf('errors');
    const p95 = numberOf('p95');
    records.push({
      source: 'csv',
      path,
      ...(typeof fn === 'string' && fn !== '' ? { function: fn } : {}),
      ...(line !== undefined ? { line } : {}),
      calls: numberOf('calls') ?? 0,
      ...(errors !== undefined ? { errors } : {}),
      ...(p95 !== undefined ? { p95 } : {}),
    });
  }
  if (rows.length > 0 && records.length === 0) throw new Error(`${name}: no row has a file column (file, path, code.file.path)`);
  return records;
}

/** RFC 4180 CSV (quoted fields, doubled quotes); the first row is the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === ';' || ch === '\t') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((cell) => cell !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((cell) => cell !== '')) rows.push(row);
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((cells) => Object.fromEntries(header.map((column, index) => [column, cells[index] ?? ''])));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A hotspot record mapped onto the repository. */
export interface MappedRecord extends HotspotRecord {
  file: string;
}

/** Maps records onto repository files; returns the mapped ones and the production paths that did not map. */
export function mapRecords(records: HotspotRecord[], mapper: ProductionPathMapper): { mapped: MappedRecord[]; unmapped: string[] } {
  const mapped: MappedRecord[] = [];
  const unmapped = new Set<string>();
  for (const record of records) {
    const file = mapper.map(record.path);
    if (file) mapped.push({ ...record, file });
    else unmapped.add(record.path);
  }
  return { mapped, unmapped: [...unmapped].sort() };
}

/** The last name of a qualified function name: `Billing.charge`, `billing.Billing.charge` -> `charge`. */
function shortName(name: string): string {
  const cleaned = name.replace(/^(?:async |get |set |bound )+/, '').replace(/ \[as [^\]]+\]$/, '');
  return cleaned.slice(Math.max(cleaned.lastIndexOf('.'), cleaned.lastIndexOf('#'), cleaned.lastIndexOf(':')) + 1);
}

function recordMatchesUnit(record: MappedRecord, unit: ChangedUnit): boolean {
  if (record.file !== unit.file) return false;
  if (record.function !== undefined) {
    const recordName = record.function;
    if (recordName === unit.symbol || shortName(recordName) === shortName(unit.symbol)) {
      // Two functions with one short name in a file: a line, when given, decides.
      return record.line === undefined || (record.line >= unit.startLine - 1 && record.line <= unit.endLine);
    }
    return false;
  }
  return record.line !== undefined && record.line >= unit.startLine && record.line <= unit.endLine;
}

/**
 * The changed hot paths: for each changed unit that production ran (or each changed file that
 * production reports without function detail), the summed figures and a weight in 0..1 relative to the
 * hottest record of the input (log scale: ten times the calls is one step, not ten), raised by errors.
 */
export function matchHotspots(records: MappedRecord[], changedUnits: ChangedUnit[], changedFiles: string[]): Hotspot[] {
  if (records.length === 0) return [];
  const maxCalls = Math.max(1, ...records.map((record) => record.calls));
  const hotspots: Hotspot[] = [];
  const weightOf = (calls: number, errors: number): number => {
    const base = Math.log1p(calls) / Math.log1p(maxCalls);
    const errorBoost = calls > 0 ? Math.min(0.25, (errors / calls) * 2) : 0;
    return Math.round(Math.min(1, base + errorBoost) * 1000) / 1000;
  };
  const bySource = (matched: MappedRecord[]): Map<HotspotSource, MappedRecord[]> => {
    const map = new Map<HotspotSource, MappedRecord[]>();
    for (const record of matched) map.set(record.source, [...(map.get(record.source) ?? []), record]);
    return map;
  };
  const seenUnits = new Set<string>();
  const unitFiles = new Set<string>();
  for (const unit of changedUnits) {
    if (unit.side !== 'head') continue;
    unitFiles.add(unit.file);
    const key = `${unit.file}\0${unit.symbol}`;
    if (seenUnits.has(key)) continue;
    seenUnits.add(key);
    const matched = records.filter((record) => recordMatchesUnit(record, unit));
    for (const [source, group] of bySource(matched)) {
      const figures = sumFigures(group);
      if (figures.calls === 0 && (figures.errors ?? 0) === 0) continue;
      hotspots.push({ file: unit.file, symbol: unit.symbol, source, weight: weightOf(figures.calls, figures.errors ?? 0), figures });
    }
  }
  // Files production reports only as a whole (no function), or changed files without unit detail.
  for (const file of changedFiles) {
    const matched = records.filter(
      (record) => record.file === file && ((record.function === undefined && record.line === undefined) || !unitFiles.has(file)),
    );
    for (const [source, group] of bySource(matched)) {
      const figures = sumFigures(group);
      if (figures.calls === 0) continue;
      hotspots.push({ file, source, weight: weightOf(figures.calls, figures.errors ?? 0), figures });
    }
  }
  return hotspots.sort((a, b) => b.weight - a.weight || a.file.localeCompare(b.file));
}

function sumFigures(records: MappedRecord[]): { calls: number; errors?: number; p95?: number } {
  let calls = 0;
  let errors: number | undefined;
  let p95: number | undefined;
  for (const record of records) {
    calls += record.calls;
    if (record.errors !== undefined) errors = (errors ?? 0) + record.errors;
    // Without the raw samples, the slowest p95 of the parts is the honest summary.
    if (record.p95 !== undefined) p95 = Math.max(p95 ?? 0, record.p95);
  }
  return { calls, ...(errors !== undefined ? { errors } : {}), ...(p95 !== undefined ? { p95 } : {}) };
}
