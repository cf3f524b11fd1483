import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName } from '../ast/text.js';
import type { Guardrail } from '../define-detector.js';

/**
 * Application-wide scope: registrations that apply a guardrail to every handler (NestJS global pipes,
 * guards, interceptors and filters, by call or as an APP_* provider). The protection search asks whether
 * a guardrail that left a handler is registered here.
 */

/** Registrations that apply a guard, pipe, interceptor or filter to every handler of the application. */
const GLOBAL_REGISTRATION = /^useGlobal(?:Pipes|Guards|Interceptors|Filters)$/;
const GLOBAL_PROVIDER = /^APP_(?:GUARD|PIPE|INTERCEPTOR|FILTER)$/;
/** The decorators that apply the same things to one handler or class: what they name is what counts. */
const SCOPED_DECORATOR = /^(?:UseGuards|UsePipes|UseInterceptors|UseFilters)$/;

/**
 * What the head registers for the whole application (`app.useGlobalPipes(new ValidationPipe())`,
 * `{ provide: APP_GUARD, useClass: RolesGuard }`): the names of what is registered, with the file that does it.
 * A guardrail that left a handler and is registered there still runs before that handler.
 */
export function globalRegistrations(sources: ts.SourceFile[]): Map<string, string> {
  const registered = new Map<string, string>();
  const note = (root: ts.Node, file: string): void => {
    const visit = (n: ts.Node): void => {
      if (ts.isNewExpression(n) || ts.isCallExpression(n)) {
        const name = calleeSimpleName(n.expression);
        if (name) registered.set(name, file);
      } else if (ts.isIdentifier(n) && !GLOBAL_PROVIDER.test(n.text)) registered.set(n.text, file);
      ts.forEachChild(n, visit);
    };
    visit(root);
  };
  for (const sf of sources) {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && GLOBAL_REGISTRATION.test(calleeSimpleName(n.expression) ?? ''))
        n.arguments.forEach((a) => note(a, sf.fileName));
      if (
        ts.isObjectLiteralExpression(n) &&
        n.properties.some(
          (p) => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'provide' && GLOBAL_PROVIDER.test(p.initializer.getText(sf)),
        )
      ) {
        for (const p of n.properties)
          if (ts.isPropertyAssignment(p) && /^use(?:Class|Value|Factory|Existing)$/.test(p.name.getText(sf)))
            note(p.initializer, sf.fileName);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return registered;
}

/** The application-wide registration that applies the guardrail (by what it names), if there is one. */
export function registeredGlobally(guardrail: Guardrail, registrations: Map<string, string>): string | undefined {
  if (registrations.size === 0) return undefined;
  const named = new Set<string>();
  const visit = (n: ts.Node): void => {
    if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && SCOPED_DECORATOR.test(calleeSimpleName(n.expression) ?? '')) {
      n.arguments?.forEach((a) => visit(a));
      return;
    }
    if (ts.isNewExpression(n) || ts.isCallExpression(n)) {
      const name = calleeSimpleName(n.expression);
      if (name) named.add(name);
    } else if (ts.isIdentifier(n)) named.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(guardrail.node);
  for (const name of named) {
    const file = registrations.get(name);
    if (file && /^[A-Z]/.test(name)) return file;
  }
  return undefined;
}
