import { describe, expect, it } from 'vitest';
import { escapeWorkflowCommands } from '../../src/adapters/actions/runner.js';

describe('escapeWorkflowCommands', () => {
  it('makes PR text that would start a workflow command inert', () => {
    const hostile = '::add-mask::x\n::error file=a.ts::forged\n  ::stop-commands::token';
    const escaped = escapeWorkflowCommands(hostile);
    expect(escaped.split('\n').some((line) => /^\s*::/.test(line))).toBe(false);
    expect(escaped.replace(/\u200b/g, '')).toBe(hostile);
  });
});
