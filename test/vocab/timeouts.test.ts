import { describe, expect, it } from 'vitest';
import { timeoutsOf } from '../../src/core/detect/vocab/timeouts.js';
import { unitNamed } from '../support/syntax.js';

const timeouts = (text: string, name: string, file?: string): string[] =>
  timeoutsOf(unitNamed(text, name, file)).map((g) => `${g.kind}: ${g.anchor}${g.strength === undefined ? '' : ` = ${g.strength}`}`);

describe('vocab/timeouts: the timeout inventory', () => {
  it('finds timeout options with their amounts, constants and durations resolved', () => {
    const text =
      "const FIVE_SECONDS = 5_000;\nexport const client = axios.create({ baseURL, timeout: FIVE_SECONDS });\nexport const slow = got.extend({ timeout: { request: '30s' } });\n";
    expect(timeouts(text, 'client')).toEqual(['option: timeout option of axios.create = 5000']);
    expect(timeouts(text, 'slow')).toEqual(['option: timeout option of got.extend = 30000']);
  });

  it('finds deadlines in other shapes: abort signals, timers that abort, races against a timer', () => {
    const text = [
      'async function load(url) {',
      '  const controller = new AbortController();',
      '  const timer = setTimeout(() => controller.abort(), 2000);',
      '  await fetch(url, { signal: controller.signal });',
      '  await fetch(url, { signal: AbortSignal.timeout(1000) });',
      '  return Promise.race([work(), sleep(500)]);',
      '}',
    ].join('\n');
    expect(timeouts(text, 'load')).toEqual([
      'deadline: timer that aborts the operation = 2000',
      'deadline: AbortSignal.timeout = 1000',
      'deadline: Promise.race against a timer = 500',
    ]);
  });

  it('reads 0 and false as no timeout, and leaves out idle lifetimes, UI timers and backoff delays', () => {
    expect(timeouts('export const c = axios.create({ timeout: 0 });', 'c')).toEqual(['option: timeout option of axios.create = Infinity']);
    expect(timeouts('export const p = new Pool({ idleTimeoutMillis: 1000 });', 'p')).toEqual([]);
    expect(timeouts('export const t = toast.show({ timeout: 3000 });', 't')).toEqual([]);
    expect(timeouts('export const r = retry({ minTimeout: 100 });', 'r')).toEqual([]);
  });

  it('has nothing to say about test-runner configuration', () => {
    expect(timeouts('export const config = defineConfig({ timeout: 30000 });', 'config', 'playwright.config.ts')).toEqual([]);
  });
});
