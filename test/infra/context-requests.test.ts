import { describe, expect, it } from 'vitest';
import { defineAnalyzer, type Analyzer } from '../../src/core/infra/define-analyzer.js';
import { contextRequests } from '../../src/core/infra/tree.js';
import type { ChangedFile } from '../../src/core/model.js';

function analyzerAsking(id: string, context: Analyzer['context']): Analyzer {
  return defineAnalyzer({
    meta: {
      id,
      category: 'ci',
      severity: 'medium',
      description: 'reads workflows',
      messages: {},
      reads: ['.github/workflows/*.yml'],
      docs: { catches: '', ignores: '', example: { file: '.github/workflows/ci.yml', before: '', after: '' } },
    },
    ...(context ? { context } : {}),
    analyze: () => [],
  });
}

const workflow: ChangedFile = {
  path: '.github/workflows/ci.yml',
  status: 'modified',
  base: 'on: push\n',
  head: 'on: [push\n',
};

describe('what the analyzers ask the collect step to read', () => {
  it('drops the requests of an analyzer whose context() throws and keeps the others', () => {
    const broken = analyzerAsking('broken-context', () => {
      throw new Error('not valid YAML');
    });
    const working = analyzerAsking('working-context', () => [{ pattern: 'package.json' }, { pattern: '**/package-lock.json' }]);
    expect(contextRequests([broken, working], [workflow])).toEqual({
      paths: ['package.json'],
      globs: ['**/package-lock.json'],
      searches: [],
    });
  });

  it('asks for nothing for a file no analyzer claims', () => {
    const working = analyzerAsking('working-context', () => [{ pattern: 'package.json' }]);
    expect(contextRequests([working], [{ path: 'src/a.ts', status: 'modified', base: '', head: '' }])).toEqual({
      paths: [],
      globs: [],
      searches: [],
    });
  });
});
