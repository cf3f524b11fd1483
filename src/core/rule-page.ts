/**
 * The layout of a rule's documentation page, shared by the code detectors (detect/docs.ts) and the analyzers
 * of non-code files (infra/docs.ts), so every page in docs/rules/ reads the same way. Each side says what is
 * its own: the facts in the header table, the example's files and how a finding is accepted in that kind of file.
 */
export interface RulePage {
  id: string;
  description: string;
  /** Rows of the header table, in order: [label, value]. */
  facts: [string, string][];
  catches: string;
  ignores: string;
  /** The example as fenced blocks, each with the line that introduces it. */
  example: { caption: string; lang: string; text: string }[];
  /** The messages as a reader meets them: id and text. */
  messages: [string, string][];
  /** How one finding is accepted in place; the configuration block is the same for every rule. */
  acceptance: string;
}

export function renderRulePage(page: RulePage): string {
  return [
    `# ${page.id}`,
    '',
    page.description,
    '',
    '| | |',
    '|---|---|',
    ...page.facts.map(([label, value]) => `| ${label} | ${value} |`),
    '',
    '## What it catches',
    '',
    page.catches,
    '',
    '## What it deliberately ignores',
    '',
    page.ignores,
    '',
    '## Example',
    '',
    ...page.example.flatMap((block) => [block.caption, '', '```' + block.lang, block.text.trimEnd(), '```', '']),
    '## Messages',
    '',
    ...page.messages.map(([id, text]) => `- \`${id}\`: ${text}`),
    '',
    '## Configuration',
    '',
    '```yaml',
    '# .github/guardrail-gate.yml',
    'rules:',
    `  ${page.id}: off        # or a severity: info | low | medium | high | critical`,
    '```',
    '',
    page.acceptance,
    '',
  ].join('\n');
}
