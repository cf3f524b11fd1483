import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/config.js';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('opens with the two set-up commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci && npm run demo\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
  });

  it('shows a configuration example the gate accepts', () => {
    const example = /```yaml\n(# \.github\/guardrail-gate\.yml\n[\s\S]*?)```/.exec(README)?.[1];
    expect(example).toBeDefined();
    const config = parseConfig(example!, 'README example');
    expect(config.rules['type-safety']).toBe('off');
  });

  it('links only to docs that exist', () => {
    const links = [...README.matchAll(/\]\((docs\/[^)#]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(join(import.meta.dirname, '../..', link)), link).toBe(true);
  });
});
