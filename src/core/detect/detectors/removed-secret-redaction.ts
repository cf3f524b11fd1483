import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { anchorText, calleeSimpleName, calleeText, ownerOfObject, propertyNameText } from '../ast/text.js';
import { forEachNode, forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type DirectFinding, type Guardrail } from '../define-detector.js';
import { isLogCall } from '../vocab/logging.js';
import { isSecretName, REDACTION_CALL } from '../vocab/secrets.js';

/** A string that says a value was hidden: '[REDACTED]', '<filtered>', 'REDACTED'. */
const REDACTED_TEXT = /\[\s*(REDACTED|FILTERED|MASKED|HIDDEN|SECRET|REMOVED)\s*\]|<\s*(redacted|filtered|masked|hidden)\s*>|\bREDACTED\b/i;
/** A mask that means "hidden" only next to a secret ('***' is also Markdown, 'xxxx' a placeholder). */
const MASK_TEXT = /^\s*(\*{3,}|x{4,}|•{3,})\s*$|(Bearer|Basic|token|key|secret|password)[\s=:]+\*{3,}/i;
/** Words that put a mask next to a secret. */
const SECRET_CONTEXT = /token|secret|passw|apikey|api_key|auth|credential|cookie|session|private/i;
/** Logger options that hide fields (pino `redact`, winston formats, custom serializers). */
const REDACT_OPTION =
  /^(redact|redactPaths|redactKeys|redactFields|sensitiveKeys|sensitiveFields|maskFields|filterKeys|censor|blacklist|blocklist|denylist|scrubFields)$/;

export default defineDetector({
  meta: {
    id: 'removed-secret-redaction',
    category: 'secrets',
    severity: 'high',
    weakenedSeverity: 'high',
    description: 'Redaction of tokens, passwords or credentials before logging or reporting was removed, or new code logs a credential.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: credentials can now reach logs or error reports in clear text.',
      weakened: '{{symbol}}: {{label}} was narrowed ({{change}}): those fields reach the logs in clear text again.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
      secretLogged: '{{symbol}} now logs {{label}}: the credential will be stored in clear text wherever the logs go.',
    },
    docs: {
      catches:
        'Removed: calls that hide secrets (`redact()`, `mask()`, `maskToken()`, `scrub*()`, `sanitizeHeaders()`, ...), replacements with `"[REDACTED]"` / `"***"`, `delete` of authorization, cookie, password, token or secret fields, destructuring or `omit()` that leaves such fields out, and logger redaction options (pino `redact: [...]`, a path dropped from it is a narrowing). New code: a log call (logger, console) whose arguments include a value named token, secret, password, apiKey, authorization, cookie or credentials (medium).',
      ignores:
        'Redaction moved into a helper, a serializer or a logger option of the same PR, or swapped for another form (a `delete` for an `omit`); log calls that mention a secret only as a message, a flag (`!!token`), a length or a redacted value; secrets the function already logged before the PR; test files.',
      example: {
        file: 'src/http/log-request.ts',
        before:
          "export function logRequest(req: IncomingRequest) {\n  const headers = { ...req.headers };\n  delete headers.authorization;\n  delete headers.cookie;\n  logger.info({ method: req.method, url: req.url, headers }, 'request');\n}\n",
        after:
          "export function logRequest(req: IncomingRequest) {\n  logger.info({ method: req.method, url: req.url, headers: req.headers }, 'request');\n}\n",
      },
    },
  },
  inventory: redactionsOf,
  inspect(change) {
    const { head, base } = change;
    if (!head) return [];
    const alreadyLogged = new Set<string>();
    if (base) for (const logged of loggedSecrets(base)) alreadyLogged.add(logged.name);
    const findings: DirectFinding[] = [];
    const reported = new Set<string>();
    for (const logged of loggedSecrets(head)) {
      if (alreadyLogged.has(logged.name) || reported.has(logged.name) || !change.isNew(logged.call)) continue;
      reported.add(logged.name);
      findings.push({
        messageId: 'secretLogged',
        node: logged.node,
        side: 'head',
        severity: 'medium',
        key: `logs ${logged.name}`,
        data: { label: `\`${logged.text}\`` },
        evidence: { call: calleeText(logged.call.expression, head.sourceFile) },
      });
    }
    return findings;
  },
});

function redactionsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  // One kind for every form: a redaction swapped for another form (a delete for an omit, a call for a
  // logger option), here, in a helper or elsewhere in the PR, is the same protection.
  const push = (g: Omit<Guardrail, 'category'>): void => {
    found.push({ category: 'secrets', ...g });
  };

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression) ?? '';
      if (REDACTION_CALL.test(name)) {
        const subject = node.arguments[0] ? anchorText(node.arguments[0], sf, 40) : '';
        push({
          kind: 'redaction',
          anchor: `${name}(${subject})`,
          node,
          label: `the ${calleeText(node.expression, sf)}(${subject}) redaction`,
        });
        return;
      }
      // omit(user, ['password']), _.omit(headers, 'authorization', 'cookie')
      if (name === 'omit' || name === 'without') {
        const omitted = stringsIn(node.arguments.slice(1), sf).filter(isSecretName);
        if (omitted.length)
          push({ kind: 'redaction', anchor: `omit ${omitted.sort().join(',')}`, node, label: `the omit() of ${omitted.join(', ')}` });
      }
      return;
    }
    // delete headers.authorization; delete user['password']
    if (ts.isDeleteExpression(node)) {
      const field = fieldName(node.expression);
      if (field && isSecretName(field))
        push({
          kind: 'redaction',
          anchor: `drop ${field.toLowerCase()}`,
          node,
          label: `the \`${anchorText(node, sf, 60)}\` before the value is used`,
        });
      return;
    }
    // const { password, ...safeUser } = user
    if (ts.isObjectBindingPattern(node) && node.elements.some((e) => e.dotDotDotToken)) {
      const dropped = node.elements
        .filter((e) => !e.dotDotDotToken)
        .map((e) => propertyNameText(e.propertyName ?? e.name, sf))
        .filter(isSecretName);
      for (const field of dropped)
        push({ kind: 'redaction', anchor: `drop ${field.toLowerCase()}`, node, label: `the destructuring that leaves ${field} out` });
      return;
    }
    // pino({ redact: ['req.headers.authorization'] }) / redact: { paths: [...], censor: '***' }
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const name = propertyNameText(node.name, sf);
      if (REDACT_OPTION.test(name)) {
        const owner = ownerOfObject(node.parent, sf);
        const members = stringsIn([node.initializer], sf);
        push({
          kind: 'redaction',
          anchor: `${name} option of ${owner}`,
          node,
          label: `the ${name} option of ${owner}`,
          ...(members.length ? { members } : {}),
        });
        return;
      }
    }
    // { authorization: '[REDACTED]' }, headers.cookie = '***', token.replace(/./g, '*')
    if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
      !isInsideRedactOption(node, sf) &&
      (REDACTED_TEXT.test(node.text) || (MASK_TEXT.test(node.text) && SECRET_CONTEXT.test(maskContext(node, sf))))
    ) {
      const target = replacedField(node, sf);
      push({
        kind: 'redaction',
        anchor: `replace ${target ?? node.text}`,
        node,
        label: `the "${node.text}" placeholder${target ? ` for ${target}` : ''}`,
      });
    }
  });
  return found;
}

/** The code around a mask: the statement it sits in, to tell a hidden token from a Markdown rule. */
function maskContext(literal: ts.Node, sf: ts.SourceFile): string {
  let n: ts.Node = literal;
  while (n.parent && !ts.isStatement(n) && !ts.isPropertyAssignment(n)) n = n.parent;
  if (ts.isPropertyAssignment(n)) return n.name.getText(sf);
  return n.getText(sf);
}

/** The field a placeholder string replaces: `authorization: '[REDACTED]'`, `headers.cookie = '***'`. */
function replacedField(literal: ts.Node, sf: ts.SourceFile): string | undefined {
  const parent = literal.parent;
  if (ts.isPropertyAssignment(parent) && parent.initializer === literal) return propertyNameText(parent.name, sf);
  if (ts.isBinaryExpression(parent) && parent.right === literal) return fieldName(parent.left) ?? anchorText(parent.left, sf, 40);
  if (ts.isCallExpression(parent)) return `${calleeText(parent.expression, sf)}()`;
  if (ts.isConditionalExpression(parent)) return replacedField(parent, sf);
  return undefined;
}

function isInsideRedactOption(node: ts.Node, sf: ts.SourceFile): boolean {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isPropertyAssignment(n) && REDACT_OPTION.test(propertyNameText(n.name, sf))) return true;
  }
  return false;
}

function fieldName(expression: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (
    ts.isElementAccessExpression(expression) &&
    (ts.isStringLiteral(expression.argumentExpression) || ts.isNoSubstitutionTemplateLiteral(expression.argumentExpression))
  ) {
    return expression.argumentExpression.text;
  }
  return undefined;
}

function stringsIn(nodes: readonly ts.Node[], sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
      // `censor: '***'` is the placeholder, not a path
      const parent = n.parent;
      if (!(ts.isPropertyAssignment(parent) && /^(censor|replacement|placeholder)$/.test(propertyNameText(parent.name, sf))))
        out.push(n.text);
    }
  };
  for (const node of nodes) forEachNode(node, visit);
  return out;
}

interface LoggedSecret {
  name: string;
  text: string;
  node: ts.Node;
  call: ts.CallExpression;
}

/** The credentials a unit's log calls write out as values (not as a flag, a length or a redacted form). */
function loggedSecrets(unit: Unit): LoggedSecret[] {
  const sf = unit.sourceFile;
  const found: LoggedSecret[] = [];
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isCallExpression(node) || !isLogCall(node, sf)) return;
    for (const argument of node.arguments) {
      visitValues(argument, sf, (value, name) =>
        found.push({ name: name.toLowerCase(), text: anchorText(value, sf, 60), node: value, call: node }),
      );
    }
  });
  return found;
}

/** Calls the callback for every expression in value position that reads a secret-named variable or field. */
function visitValues(root: ts.Node, sf: ts.SourceFile, onSecret: (value: ts.Node, name: string) => void): void {
  // Iterative: the nodes still to look at, the next one last; children are pushed in reverse to keep source order.
  const pending: ts.Node[] = [root];
  const visit = (...nodes: ts.Node[]): void => {
    for (let i = nodes.length - 1; i >= 0; i--) pending.push(nodes[i]!);
  };
  while (pending.length > 0) {
    const node = pending.pop()!;
    visitValue(node, sf, onSecret, visit);
  }
}

/** One step of `visitValues`: reports `node` when it reads a secret, or hands on the parts of it that are values. */
function visitValue(
  node: ts.Node,
  sf: ts.SourceFile,
  onSecret: (value: ts.Node, name: string) => void,
  visit: (...nodes: ts.Node[]) => void,
): void {
  if (ts.isCallExpression(node)) {
    const name = calleeSimpleName(node.expression) ?? '';
    if (
      REDACTION_CALL.test(name) ||
      /^(Boolean|String\.length|hash\w*|sha\d*|fingerprint|createHash|digest|len|size|count|typeOf)$/.test(name)
    )
      return;
    // token.slice(0, 4): the callee is not visited, a method called on the secret shows a derived value
    visit(...node.arguments);
    return;
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) return;
  if (ts.isTypeOfExpression(node)) return;
  // `authorization ? 'present' : 'absent'`: the condition is only tested, the branches are what is logged
  if (ts.isConditionalExpression(node)) {
    visit(node.whenTrue, node.whenFalse);
    return;
  }
  // token === expected, token.length > 0: a comparison logs a boolean; `a + token` and `token ?? x` still log it
  if (
    ts.isBinaryExpression(node) &&
    ![ts.SyntaxKind.PlusToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(node.operatorToken.kind)
  )
    return;
  if (ts.isIdentifier(node)) {
    if (isSecretName(node.text)) onSecret(node, node.text);
    return;
  }
  if (ts.isPropertyAccessExpression(node)) {
    if (isSecretName(node.name.text)) onSecret(node, node.name.text);
    // creds.user: reading a field of a secret-named object is not the secret itself
    return;
  }
  if (ts.isElementAccessExpression(node)) {
    const field = fieldName(node);
    if (field && isSecretName(field)) onSecret(node, field);
    return;
  }
  if (ts.isShorthandPropertyAssignment(node)) {
    if (isSecretName(node.name.text)) onSecret(node, node.name.text);
    return;
  }
  if (ts.isPropertyAssignment(node)) {
    visit(node.initializer);
    return;
  }
  if (ts.isFunctionLike(node)) return;
  const children: ts.Node[] = [];
  ts.forEachChild(node, (child) => {
    children.push(child);
  });
  visit(...children);
}
