import { parseSuppressions, type Suppression } from '../detect/suppressions.js';
import { fingerprint } from '../fingerprint.js';
import { headPath, type Finding } from '../model.js';

/**
 * `guardrail-gate-ignore <rule> -- <reason> [until YYYY-MM-DD]` in a comment of a non-code file, in the
 * format's own comment syntax (YAML, Dockerfile, .npmrc and .env `#`, SQL `--`). In the leading comment
 * block it accepts the rule's findings in the whole file; anywhere else, the findings anchored on the next
 * line that is not a comment (for a removal: the surviving line it is anchored to). JSON has no comments:
 * there, only the configuration (`rules:`) and a maintainer's acceptance apply.
 */
export type CommentSyntax = '#' | '--' | undefined;

/** The comment marker of a file's format, by its name; undefined for formats without comments. */
export function commentSyntaxOf(path: string): CommentSyntax {
  const name = path.split('/').pop()!.toLowerCase();
  if (name.endsWith('.sql')) return '--';
  if (/\.(ya?ml|toml)$/.test(name) || name === 'yarn.lock' || name === '.npmrc' || name === '.yarnrc' || name.startsWith('.env'))
    return '#';
  if (name === 'dockerfile' || name.startsWith('dockerfile.') || name.endsWith('.dockerfile') || name === 'containerfile') return '#';
  return undefined;
}

/** The directives written as comments of the head text (a directive inside a value is not one). */
export function commentSuppressions(file: string, text: string): Suppression[] {
  const syntax = commentSyntaxOf(file);
  if (!syntax || !text.includes('guardrail-gate-ignore')) return [];
  const lines = text.split('\n');
  return parseSuppressions(file, text).filter((s) => {
    const line = lines[s.line - 1] ?? '';
    const before = line.slice(0, line.indexOf('guardrail-gate-ignore'));
    return before.includes(syntax);
  });
}

/**
 * Marks the findings that a head-file directive accepts. Returns the notes (expired directives) and a
 * finding for each directive without a reason, as the code detectors do.
 */
export function applyCommentSuppressions(
  findings: Finding[],
  headTexts: ReadonlyMap<string, string>,
  today: string | undefined,
): { findings: Finding[]; notes: string[] } {
  const notes: string[] = [];
  const extra: Finding[] = [];
  for (const [file, text] of headTexts) {
    const suppressions = commentSuppressions(file, text);
    if (suppressions.length === 0) continue;
    const syntax = commentSyntaxOf(file)!;
    const lines = text.split('\n');
    const isComment = (line: string | undefined): boolean => line !== undefined && (line.trim() === '' || line.trim().startsWith(syntax));
    const leadingBlockEnd = lines.findIndex((line) => !isComment(line)); // 0-based index of the first content line
    for (const s of suppressions) {
      if (!s.reason) {
        extra.push({
          id: fingerprint(['suppression-without-reason', s.file, s.rules.join(',')]),
          rule: 'suppression-without-reason',
          category: 'config',
          severity: 'medium',
          file: s.file,
          line: s.line,
          side: 'head',
          message: 'A guardrail-gate-ignore comment without a reason accepts nothing: add "-- why it is safe".',
          evidence: { rules: s.rules },
        });
        continue;
      }
      if (s.expires && today && s.expires < today) {
        notes.push(`${file}:${s.line}: the suppression of ${s.rules.join(', ')} expired on ${s.expires} and no longer applies`);
        continue;
      }
      const wholeFile = leadingBlockEnd < 0 || s.line <= leadingBlockEnd;
      let next = s.line; // a trailing comment covers its own line; a comment line covers the next content line
      if (lines[s.line - 1]!.trim().startsWith(syntax)) {
        next = s.line + 1;
        while (next <= lines.length && isComment(lines[next - 1])) next++;
      }
      for (const finding of findings) {
        if (finding.accepted || headPath(finding) !== file || !(s.rules.includes('all') || s.rules.includes(finding.rule))) continue;
        const anchor = finding.side === 'head' ? finding.line : finding.headLine;
        if (!wholeFile && anchor !== next) continue;
        finding.accepted = { by: 'suppression', reason: s.reason, ...(s.expires ? { expires: s.expires } : {}) };
      }
    }
  }
  return { findings: [...findings, ...extra], notes };
}
