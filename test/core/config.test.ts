import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/config.js';
import { DETECTORS } from '../../src/core/detect/registry.js';
import { ConfigurationError } from '../../src/core/errors.js';

const parse = (yaml: string): unknown => parseConfig(yaml, '.github/guardrail-gate.yml');

describe('configuration: rule ids', () => {
  it('accepts the rules of the catalogue in every setting form', () => {
    const config = parseConfig('rules:\n  removed-timeout: off\n  removed-retry: low\n  type-safety: { enabled: false }\n', 'c.yml');
    expect(config.rules).toEqual({ 'removed-timeout': 'off', 'removed-retry': 'low', 'type-safety': { enabled: false } });
  });

  it('rejects an unknown rule id with a ConfigurationError naming the key and listing the known rules', () => {
    expect(() => parse('rules:\n  removed-timeout: off\n  removed-timout: low\n')).toThrow(ConfigurationError);
    let message = '';
    try {
      parse('rules:\n  removed-timout: low\n');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^\.github\/guardrail-gate\.yml: rules\.removed-timout: unknown rule "removed-timout" \(did you mean "removed-timeout"\?\); known rules: /,
    );
    for (const detector of DETECTORS) expect(message).toContain(detector.meta.id);
  });

  it('offers no guess when nothing is close', () => {
    expect(() => parse('rules:\n  no-console: off\n')).toThrow(/unknown rule "no-console"; known rules: new-call-without-timeout, /);
  });
});
