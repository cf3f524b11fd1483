import { renderRulePage } from '../rule-page.js';
import type { AnalyzerMeta } from './define-analyzer.js';

/** The fence language of an example file, by its name. */
function fence(path: string): string {
  const name = path.split('/').pop()!.toLowerCase();
  if (/\.ya?ml$/.test(name) || name === 'pnpm-lock.yaml') return 'yaml';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.sql')) return 'sql';
  if (name.startsWith('dockerfile')) return 'dockerfile';
  if (name === '.npmrc' || name.startsWith('.env')) return 'ini';
  return 'text';
}

/** The documentation page of an analyzer, generated from its metadata so the two never drift apart. */
export function renderAnalyzerDoc(meta: AnalyzerMeta): string {
  const example = meta.docs.example;
  return renderRulePage({
    id: meta.id,
    description: meta.description,
    facts: [
      ['Category', `\`${meta.category}\``],
      ['Default severity', `\`${meta.severity}\` (findings with weaker evidence are lower, stronger higher, as each message says)`],
      ['Reads', meta.reads.map((glob) => `\`${glob}\``).join(', ')],
    ],
    catches: meta.docs.catches,
    ignores: meta.docs.ignores,
    example: [
      ...(example.context ?? []).map((c) => ({ caption: `Unchanged \`${c.path}\`:`, lang: fence(c.path), text: c.text })),
      { caption: `Before (\`${example.file}\`):`, lang: fence(example.file), text: example.before },
      { caption: 'After:', lang: fence(example.file), text: example.after },
    ],
    messages: Object.entries(meta.messages).map(([id, text]) => [id, String(text)]),
    acceptance:
      `To accept one finding in a file with comments, put \`# guardrail-gate-ignore ${meta.id} -- <why it is safe>\` ` +
      '(`--` in SQL; optionally `until YYYY-MM-DD`) on the line above the one the finding is anchored to, or in the ' +
      "file's leading comments for the whole file. JSON files (package.json, lockfiles) have no comments: accept the " +
      'finding with the maintainer command on the pull request, or set the rule in the configuration.',
  });
}
