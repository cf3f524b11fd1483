/**
 * Seed snippets for the fuzzer: small, real-looking TypeScript and JavaScript with the guardrails the
 * detectors know (timeouts, retries, validation, auth, transactions, rate limits, error handling, tests),
 * written for this project. Mutations of these make most of the fuzzer's inputs.
 */
export const SEEDS: readonly { path: string; text: string }[] = [
  {
    path: 'src/http/client.ts',
    text: `import axios from 'axios';
import { retry } from './retry';

export function createClient(baseURL: string) {
  return axios.create({ baseURL, timeout: 5000, maxRedirects: 3 });
}

export async function fetchUser(id: string) {
  const client = createClient(process.env.API_URL ?? '');
  return retry(() => client.get(\`/users/\${id}\`), { retries: 3, backoff: 200 });
}
`,
  },
  {
    path: 'src/http/retry.ts',
    text: `export async function retry<T>(run: () => Promise<T>, options: { retries: number; backoff: number }): Promise<T> {
  let attempt = 0;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      attempt++;
      if (attempt > options.retries) throw error;
      console.warn('retrying', attempt, error);
      await new Promise((resolve) => setTimeout(resolve, options.backoff * 2 ** attempt));
    }
  }
}
`,
  },
  {
    path: 'src/routes/documents.ts',
    text: `import { Router } from 'express';
import { z } from 'zod';
import { requireAuth } from '../auth';

const router = Router();
const Body = z.object({ title: z.string().min(1).max(200), tags: z.array(z.string()).max(20) });

router.post('/documents', requireAuth, async (req, res) => {
  const parsed = Body.safeParse(req.body);
  if (!parsed.success) return res.status(400).json({ error: parsed.error.message });
  if (!req.user || req.user.tenantId !== req.params.tenant) return res.status(403).end();
  const doc = await db.documents.create({ data: { ...parsed.data, tenantId: req.user.tenantId } });
  res.json(doc);
});

export default router;
`,
  },
  {
    path: 'src/billing/charge.ts',
    text: `export class BillingService {
  constructor(private readonly db: Db, private readonly stripe: Stripe) {}

  async charge(orderId: string, amount: number, idempotencyKey: string) {
    if (amount <= 0 || amount > 10_000) throw new RangeError('amount out of range');
    const existing = await this.db.payments.findUnique({ where: { idempotencyKey } });
    if (existing) return existing;
    return this.db.$transaction(async (tx) => {
      const payment = await tx.payments.create({ data: { orderId, amount, idempotencyKey } });
      await this.stripe.charges.create({ amount, currency: 'eur' }, { idempotencyKey, timeout: 10_000 });
      return payment;
    });
  }
}
`,
  },
  {
    path: 'src/server/limits.js',
    text: `const rateLimit = require('express-rate-limit');
const { CircuitBreaker } = require('opossum');

const limiter = rateLimit({ windowMs: 60_000, max: 100 });
const breaker = new CircuitBreaker(callUpstream, { timeout: 3000, errorThresholdPercentage: 50, resetTimeout: 30000 });

function callUpstream(payload) {
  if (payload == null) throw new TypeError('payload required');
  return fetch('https://upstream.example/api', { method: 'POST', body: JSON.stringify(payload), signal: AbortSignal.timeout(2000) });
}

module.exports = { limiter, breaker, callUpstream };
`,
  },
  {
    path: 'src/jobs/worker.ts',
    text: `import pLimit from 'p-limit';
import { logger } from '../logger';

const limit = pLimit(4);

export async function processAll(items: Item[]) {
  return Promise.all(items.map((item) => limit(() => processOne(item))));
}

async function processOne(item: Item) {
  try {
    const result = await handle(item);
    logger.info({ id: item.id }, 'processed');
    return result;
  } catch (error) {
    logger.error({ err: error, id: item.id }, 'failed');
    throw error;
  }
}
`,
  },
  {
    path: 'test/client.test.ts',
    text: `import { describe, expect, it } from 'vitest';
import { createClient, fetchUser } from '../src/http/client';

describe('client', () => {
  it('sets a timeout', () => {
    expect(createClient('http://x').defaults.timeout).toBe(5000);
  });

  it('retries three times', async () => {
    await expect(fetchUser('1')).rejects.toThrow();
    expect(calls).toHaveLength(4);
  });
});
`,
  },
  {
    path: 'src/ui/Form.tsx',
    text: `import { useState } from 'react';

export function Form({ onSubmit }: { onSubmit: (value: string) => Promise<void> }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form onSubmit={async (e) => { e.preventDefault(); if (!value.trim()) return setError('required'); try { await onSubmit(value); } catch (err) { setError(String(err)); } }}>
      <input value={value} maxLength={120} onChange={(e) => setValue(e.target.value)} />
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
`,
  },
  {
    path: 'src/secrets/log.ts',
    text: `const REDACTED = ['password', 'token', 'authorization'];

export function redact(record: Record<string, unknown>) {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) copy[key] = REDACTED.includes(key.toLowerCase()) ? '[redacted]' : value;
  return copy;
}

export const handlers = {
  ['on' + 'Event'](event: { user?: { id: string } }) {
    return event.user?.id ?? 'anonymous';
  },
  'quoted.name'(x: number) { return x as unknown as string; },
};
`,
  },
];

/** Fragments the mutator inserts: line terminators, control characters, markdown and comment openers, brackets. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  '\r',
  '\n',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\v',
  '\f',
  '\uFEFF',
  '\x00',
  '\x07',
  '\x1b[2J',
  '\x7f',
  '\x9b',
  '<!--',
  '-->',
  '`',
  '```',
  '${',
  '*/',
  '/*',
  '//',
  '"',
  "'",
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '<',
  '>',
  '</a>',
  'async (',
  '=>',
  '\\',
  '@user',
  '|',
  '#',
  '?',
  '%',
  '\uD800',
  '\uDC00',
  '💥',
  'ﬁ',
];

/** Names with regular-expression metacharacters, as computed or quoted member names put them in PR text. */
export const ODD_NAMES: readonly string[] = [
  '["a(b"]',
  "['x.*+?']",
  '[Symbol.iterator]',
  '["$&"]',
  "['[']",
  '["\\\\"]',
  '["\\r<!--"]',
  "['a|b']",
  '["^$"]',
  "['{2}']",
];

/** Paths, odd ones included: what git can hand us for a changed file. */
export const PATHS: readonly string[] = [
  'src/a.ts',
  'src/b.js',
  'src/c.tsx',
  'src/d.mjs',
  'lib/e.cjs',
  'test/a.test.ts',
  'src/__tests__/b.spec.js',
  'src/odd#name?.ts',
  'src/with space.ts',
  'src/ünï.ts',
  'src/<!--.ts',
  'src/a`b`.ts',
  'src/%41.ts',
  'src/x\r.ts',
  'README.md',
];
