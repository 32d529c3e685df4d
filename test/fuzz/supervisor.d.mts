// Types of supervisor.mjs (plain JavaScript, because its workers are plain Node processes).
export type Outcome = 'ok' | 'clear error' | 'vague error' | 'crash' | 'hang' | 'silent acceptance' | 'broken-after';
export interface FuzzResult {
  seed: number;
  index: number;
  family: string;
  label: string;
  outcome: Outcome;
  message: string;
}
export const FAILURES: readonly Outcome[];
export const OUTCOMES: readonly Outcome[];
export function runFuzz(options: {
  seed: number;
  count: number;
  first?: number;
  workers?: number;
  timeoutMs?: number;
  onResult?: (result: FuzzResult) => void;
  worker?: string;
}): Promise<FuzzResult[]>;
export function summarize(results: readonly FuzzResult[]): {
  byFamily: Record<string, Record<Outcome, number>>;
  totals: Record<Outcome, number>;
  failures: FuzzResult[];
};
