import { it } from 'vitest';
import { loadCases } from './support/detector-cases.js';
import { detectAll } from '../src/core/analyze.js';
import { defaultConfig } from '../src/core/config/config.js';
it('show', () => {
  for (const group of ['flagged', 'quiet'] as const)
    for (const c of loadCases('removed-tested-guard', group)) {
      const r = detectAll({ files: c.files, context: [], config: defaultConfig() });
      console.log('##', group, c.name, '\n   ' + r.findings.map((f) => `${f.severity} ${f.rule} ${f.category} ${f.line} ${f.message} ${JSON.stringify(f.evidence?.alsoRemoved ?? '')}`).join('\n   '));
    }
});
