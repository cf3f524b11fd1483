import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A JSON schema fragment of GitHub's OpenAPI description (only what the validator reads). */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  maximum?: number;
  minimum?: number;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}

/** One operation of GitHub's REST API as the published description declares it. */
export interface Route {
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
  paramNames: string[];
  literalSegments: number;
  queryParameters: Parameter[];
  bodySchema?: Schema;
  bodyRequired: boolean;
}

type Spec = { paths: Record<string, Record<string, any>>; components: Record<string, Record<string, any>> };

let cached: { spec: Spec; routes: Route[] } | undefined;

/** Loads @octokit/openapi's description of api.github.com (once per process) and builds the route table. */
export function loadRoutes(): { spec: Spec; routes: Route[] } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const operation = item[method];
      if (!operation) continue;
      const paramNames: string[] = [];
      const source = template
        .split('/')
        .map((segment) =>
          segment.replace(/\{([^}]+)\}|[^{}]+/g, (part, name: string | undefined) => {
            if (name) {
              paramNames.push(name);
              return '([^/]+)';
            }
            return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          }),
        )
        .join('/');
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p: Parameter) => resolve(spec, p) as Parameter);
      const bodyContent = operation.requestBody ? resolve(spec, operation.requestBody).content?.['application/json'] : undefined;
      routes.push({
        method: method.toUpperCase(),
        template,
        operationId: operation.operationId,
        pattern: new RegExp(`^${source}$`),
        paramNames,
        literalSegments: template.split('/').filter((s) => s && !s.includes('{')).length,
        queryParameters: parameters.filter((p) => p.in === 'query'),
        bodySchema: bodyContent?.schema,
        bodyRequired: Boolean(operation.requestBody?.required),
      });
    }
  }
  // Literal segments win over parameters (/pulls/comments/{id} before /pulls/{number}/...).
  routes.sort((a, b) => b.literalSegments - a.literalSegments);
  cached = { spec, routes };
  return cached;
}

/** Follows a local `$ref` (#/components/...). */
export function resolve(spec: Spec, node: any): any {
  let current = node;
  for (let depth = 0; current?.$ref && depth < 20; depth += 1) {
    const path = String(current.$ref).replace(/^#\//, '').split('/');
    current = path.reduce((acc: any, key) => acc?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current;
}

/**
 * Checks a value against a schema of the description the way GitHub's request validation does for the
 * parts that matter here: types, required properties, enums, arrays, alternatives. Returns the first
 * problem as GitHub words it, or undefined.
 */
export function validate(spec: Spec, schemaNode: Schema | undefined, value: unknown, where: string): string | undefined {
  const schema = resolve(spec, schemaNode) as Schema | undefined;
  if (!schema) return undefined;
  if (value === null)
    return schema.nullable || (Array.isArray(schema.type) && schema.type.includes('null'))
      ? undefined
      : `${where} is not a ${schema.type ?? 'value'}.`;
  if (schema.allOf) {
    for (const part of schema.allOf) {
      const problem = validate(spec, part, value, where);
      if (problem) return problem;
    }
  }
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    const problems = alternatives.map((alt) => validate(spec, alt, value, where));
    if (problems.every(Boolean)) return problems[0];
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length && !types.some((t) => matchesType(t, value))) return `${where} is not a ${types.join(' or ')}.`;
  if (schema.enum && !schema.enum.includes(value)) return `${where} is not included in the list [${schema.enum.join(', ')}].`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in (value as object))) return `"${key}" wasn't supplied.`;
    }
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (key in (value as object)) {
        const problem = validate(spec, child, (value as Record<string, unknown>)[key], where === 'body' ? key : `${where}.${key}`);
        if (problem) return problem;
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i += 1) {
      const problem = validate(spec, schema.items, value[i], `${where}[${i}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}
