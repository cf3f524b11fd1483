import type { Severity, Side } from '../model.js';
import type { DeployWeight } from './deploy-model.js';

/** Provisional: what one of these analyzers reports, before the framework turns it into a Finding. */
export interface RawFinding {
  severity: Severity;
  file: string;
  line: number;
  side: Side;
  /** Identity of the finding inside its file (setting path, table.column, env key): fingerprinted, never a line. */
  key: string;
  message: string;
  symbol?: string;
  evidence?: Record<string, unknown>;
}

/** The severity a finding takes in a file that is deployed (production), a dev setup, or an example. */
export function weighSeverity(severity: Severity, weight: DeployWeight): Severity {
  if (weight === 'example') return 'info';
  if (weight === 'dev') return severity === 'info' ? 'info' : 'low';
  return severity;
}
