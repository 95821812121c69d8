/**
 * A cell's verdict in one word, by the run flags' rules (src/probes/verdicts.ts): judged at step 0
 * and at the last probe point; the cell's verdict is the more severe of the two, in the rules'
 * priority order (diverged > exploding > vanishing > dead > saturated > healthy).
 */
import { judgeRecord, RUN_VERDICTS, type RunVerdict } from '../probes/verdicts.js';
import type { RunRecord } from '../store/record.js';

export const VERDICTS = RUN_VERDICTS;
export type Verdict = RunVerdict;

export function verdictsOf(record: RunRecord): { verdict: Verdict; verdictInit: Verdict; verdictEnd: Verdict } {
  const verdictInit = judgeRecord(record, 'initial').verdict;
  const verdictEnd = judgeRecord(record, 'final').verdict;
  const verdict = RUN_VERDICTS.indexOf(verdictInit) <= RUN_VERDICTS.indexOf(verdictEnd) ? verdictInit : verdictEnd;
  return { verdict, verdictInit, verdictEnd };
}

export function verdictOf(record: RunRecord): Verdict {
  return verdictsOf(record).verdict;
}
