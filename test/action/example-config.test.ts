import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, parseConfig } from '../../src/core/config/config.js';

const text = readFileSync(new URL('../../docs/guardrail-gate.example.yml', import.meta.url), 'utf8');

describe('docs/guardrail-gate.example.yml', () => {
  it('is a valid configuration', () => {
    const config = parseConfig(text, 'docs/guardrail-gate.example.yml');
    expect(config['fail-on']).toBe('high');
    expect(config.ai['fail-on']).toBe('medium');
    expect(config.rules['removed-auth']).toEqual({ severity: 'critical' });
    expect(config.publish).toEqual({ comment: true, 'review-comments': true, summary: true, annotations: true });
  });

  it('documents every key of the schema', () => {
    const keys = (shape: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(shape).flatMap(([key, value]) => {
        let inner = value as { def?: { innerType?: unknown; shape?: Record<string, unknown> }; shape?: Record<string, unknown> };
        while (inner?.def?.innerType) inner = inner.def.innerType as typeof inner;
        const nested = inner?.shape ?? inner?.def?.shape;
        return [`${prefix}${key}`, ...(nested && key !== 'rules' ? keys(nested, `${prefix}${key}.`) : [])];
      });
    const documented = (path: string): boolean => {
      const parts = path.split('.');
      const last = parts[parts.length - 1]!;
      return new RegExp(`^\\s*${last.replace(/[-]/g, '\\-')}:`, 'm').test(text);
    };
    const all = keys(configSchema.shape);
    expect(all).toEqual(expect.arrayContaining(['fail-on', 'ai.required-checks', 'publish.annotations', 'tests.command']));
    const missing = all.filter((path) => !documented(path));
    expect(missing).toEqual([]);
  });

  it('names the key and the expected form on error', () => {
    expect(() => parseConfig('ai:\n  fail-on: sometimes\n', 'x.yml')).toThrow(/x\.yml: ai\.fail-on: /);
    expect(() => parseConfig('publish:\n  comments: true\n', 'x.yml')).toThrow('x.yml: publish: unknown key "comments"');
  });
});
