import type { AnalyzerMeta } from './define-analyzer.js';

/** The documentation page of an analyzer, generated from its metadata so the two never drift apart. */
export function renderAnalyzerDoc(meta: AnalyzerMeta): string {
  const example = meta.docs.example;
  const fence = (path: string): string => {
    const name = path.split('/').pop()!.toLowerCase();
    if (/\.ya?ml$/.test(name) || name === 'pnpm-lock.yaml') return 'yaml';
    if (name.endsWith('.json')) return 'json';
    if (name.endsWith('.sql')) return 'sql';
    if (name.startsWith('dockerfile')) return 'dockerfile';
    if (name === '.npmrc' || name.startsWith('.env')) return 'ini';
    return 'text';
  };
  return [
    `# ${meta.id}`,
    '',
    meta.description,
    '',
    '| | |',
    '|---|---|',
    `| Category | \`${meta.category}\` |`,
    `| Default severity | \`${meta.severity}\` (findings with weaker evidence are lower, stronger higher, as each message says) |`,
    `| Reads | ${meta.reads.map((glob) => `\`${glob}\``).join(', ')} |`,
    '',
    '## What it catches',
    '',
    meta.docs.catches,
    '',
    '## What it deliberately ignores',
    '',
    meta.docs.ignores,
    '',
    '## Example',
    '',
    ...(example.context ?? []).flatMap((c) => [`Unchanged \`${c.path}\`:`, '', '```' + fence(c.path), c.text.trimEnd(), '```', '']),
    `Before (\`${example.file}\`):`,
    '',
    '```' + fence(example.file),
    example.before.trimEnd(),
    '```',
    '',
    'After:',
    '',
    '```' + fence(example.file),
    example.after.trimEnd(),
    '```',
    '',
    '## Messages',
    '',
    ...Object.entries(meta.messages).map(([id, text]) => `- \`${id}\`: ${text}`),
    '',
    '## Configuration',
    '',
    '```yaml',
    '# .github/guardrail-gate.yml',
    'rules:',
    `  ${meta.id}: off        # or a severity: info | low | medium | high | critical`,
    '```',
    '',
    `To accept one finding in a file with comments, put \`# guardrail-gate-ignore ${meta.id} -- <why it is safe>\` ` +
      '(`--` in SQL; optionally `until YYYY-MM-DD`) on the line above the one the finding is anchored to, or in the ' +
      "file's leading comments for the whole file. JSON files (package.json, lockfiles) have no comments: accept the " +
      'finding with the maintainer command on the pull request, or set the rule in the configuration.',
    '',
  ].join('\n');
}
