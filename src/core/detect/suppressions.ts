import { fingerprint } from '../fingerprint.js';
import { describeUnknownRule } from './rule-ids.js';
import type { Finding } from '../model.js';
import { MODULE_UNIT } from '../parse/units.js';
import type { UnitPair } from '../relate/pair-units.js';

/**
 * `// guardrail-gate-ignore <rule>[,<rule>|all] -- <reason> [until YYYY-MM-DD]` in the head version of a file
 * accepts the matching findings of the unit it stands in (or of the whole file, at the top level). The
 * finding stays in the report, marked accepted with the reason. No reason, or an expired date: it does not
 * accept anything, and says so.
 */
const DIRECTIVE = /guardrail-gate-ignore\b[ \t]*([^\n]*)/g;

export interface Suppression {
  file: string;
  line: number;
  rules: string[];
  reason: string;
  expires?: string;
}

export function parseSuppressions(file: string, text: string): Suppression[] {
  const found: Suppression[] = [];
  for (const match of text.matchAll(DIRECTIVE)) {
    const line = text.slice(0, match.index).split('\n').length;
    const rest = match[1]!.replace(/\*\/.*$/, '').trim();
    const [rulesPart, ...reasonParts] = rest.split(/\s+--\s+|\s+--$/);
    let reason = reasonParts.join(' -- ').trim();
    let expires: string | undefined;
    const until = /\s*\(?\buntil\s+(\d{4}-\d{2}-\d{2})\)?\s*$/.exec(reason);
    if (until) {
      expires = until[1];
      reason = reason.slice(0, until.index).trim();
    }
    const rules = (rulesPart ?? '').split(/[\s,]+/).filter(Boolean);
    found.push({ file, line, rules: rules.length ? rules : ['all'], reason, ...(expires ? { expires } : {}) });
  }
  return found;
}

export function applySuppressions(
  findings: Finding[],
  headTexts: Map<string, string>,
  pairs: UnitPair[],
  today: string | undefined,
  knownRules: readonly string[],
): { findings: Finding[]; notes: string[] } {
  const notes: string[] = [];
  const extra: Finding[] = [];
  const byFile = new Map<string, Suppression[]>();
  for (const [file, text] of headTexts) {
    if (!text.includes('guardrail-gate-ignore')) continue;
    byFile.set(file, parseSuppressions(file, text));
  }
  if (byFile.size === 0) return { findings, notes };

  const headUnitOf = (finding: Finding): UnitPair | undefined =>
    pairs.find(
      (p) =>
        (finding.side === 'head' ? p.head : p.base)?.file === finding.file &&
        (p.head ?? p.base)!.name === (finding.symbol ?? MODULE_UNIT) &&
        (finding.side === 'head' ? p.head : p.base) !== undefined,
    );

  for (const [file, suppressions] of byFile) {
    for (const s of suppressions) {
      if (!s.reason) {
        extra.push(
          suppressionFinding(
            s,
            'suppression-without-reason',
            'A guardrail-gate-ignore comment without a reason accepts nothing: add "-- why it is safe".',
          ),
        );
        continue;
      }
      // A misspelt rule accepts nothing: say so, with the rules it could have named. The others still apply.
      for (const rule of s.rules.filter((r) => r !== 'all' && !knownRules.includes(r))) {
        extra.push(
          suppressionFinding(
            s,
            'suppression-unknown-rule',
            `This guardrail-gate-ignore comment names an ${describeUnknownRule(rule, knownRules)}; it accepts nothing of that rule.`,
            rule,
          ),
        );
      }
      if (s.expires && today && s.expires < today) {
        notes.push(`${file}:${s.line}: the suppression of ${s.rules.join(', ')} expired on ${s.expires} and no longer applies`);
        continue;
      }
      // The unit the comment stands in; at the top level, the whole file.
      const host = pairs
        .filter((p) => p.head?.file === file && p.head.kind !== 'module' && p.head.startLine <= s.line && s.line <= p.head.endLine)
        .sort((a, b) => a.head!.endLine - a.head!.startLine - (b.head!.endLine - b.head!.startLine))[0];
      for (const finding of findings) {
        if (finding.accepted || !(s.rules.includes('all') || s.rules.includes(finding.rule))) continue;
        const pair = headUnitOf(finding);
        const findingHeadFile = pair?.head?.file ?? (finding.side === 'head' ? finding.file : undefined);
        if (findingHeadFile !== file) continue;
        if (host && pair !== host) continue;
        finding.accepted = { by: 'suppression', reason: s.reason, ...(s.expires ? { expires: s.expires } : {}) };
      }
    }
  }
  return { findings: [...findings, ...extra], notes };
}

/** The problems a suppression comment can have, each reported as a finding of its own rule. */
type SuppressionProblem = 'suppression-without-reason' | 'suppression-unknown-rule';

function suppressionFinding(s: Suppression, problem: SuppressionProblem, message: string, rule?: string): Finding {
  return {
    id: fingerprint([problem, s.file, rule ?? s.rules.join(',')]),
    rule: problem,
    category: 'config',
    severity: 'medium',
    file: s.file,
    line: s.line,
    side: 'head',
    message,
    messageId: problem,
    evidence: { kind: problem, rules: s.rules },
  };
}
