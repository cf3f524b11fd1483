import { renderRulePage } from '../rule-page.js';
import { LOST_PHRASE, type DetectorMeta } from './define-detector.js';

/** The documentation page of a detector, generated from its metadata so the two never drift apart. */
export function renderRuleDoc(meta: DetectorMeta): string {
  const example = meta.docs.example;
  const lang = (example.file ?? 'x.ts').split('.').pop() ?? 'ts';
  return renderRulePage({
    id: meta.id,
    description: meta.description,
    facts: [
      ['Category', `\`${meta.category}\``],
      ['Default severity', `\`${meta.severity}\` (removed); \`${meta.weakenedSeverity ?? 'one step lower'}\` (weakened); \`info\` (moved)`],
      ['Reads', meta.scope === 'test' ? 'test files' : meta.scope === 'all' ? 'source and test files' : 'source files (not tests)'],
    ],
    catches: meta.docs.catches,
    ignores: meta.docs.ignores,
    example: [
      { caption: `Before (\`${example.file ?? 'src/example.ts'}\`):`, lang, text: example.before },
      { caption: 'After:', lang, text: example.after },
      ...(example.alsoChanged ?? []).flatMap((other) => {
        const otherLang = other.file.split('.').pop() ?? 'ts';
        return [
          { caption: `And in the same pull request, before (\`${other.file}\`):`, lang: otherLang, text: other.before },
          { caption: 'After:', lang: otherLang, text: other.after },
        ];
      }),
    ],
    // Shown as a reader meets them most often: the unit still there.
    messages: Object.entries(meta.messages).map(([id, text]) => [id, String(text).replaceAll('{{noLongerHas}}', LOST_PHRASE.kept)]),
    acceptance: `To accept one finding in code, put \`// guardrail-gate-ignore ${meta.id} -- <why it is safe>\` (optionally \`until YYYY-MM-DD\`) in the function.`,
  });
}

/** The README's table of the catalogue (code detectors and the analyzers of non-code files). */
export function renderCatalogueTable(metas: Pick<DetectorMeta, 'id' | 'category' | 'severity' | 'description'>[]): string {
  const rows = metas.map((m) => `| [\`${m.id}\`](docs/rules/${m.id}.md) | \`${m.category}\` | \`${m.severity}\` | ${m.description} |`);
  return ['| Rule | Category | Severity | What it flags |', '|---|---|---|---|', ...rows].join('\n');
}
