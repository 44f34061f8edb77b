/** Default delays between attempts (`remediation.backoff: [1, 2, 4]` seconds). */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1000, 2000, 4000];

/**
 * The delay after failed attempt `attempt` (1-based): the attempt's entry in the list, the last entry repeating
 * for attempts beyond it, 0 for an empty list.
 */
export function getBackoffDelayMs(attempt: number, delaysMs: readonly number[]): number {
  if (delaysMs.length === 0) return 0;
  const index = Math.min(Math.max(1, Math.floor(attempt)), delaysMs.length) - 1;
  return Math.max(0, delaysMs[index]!);
}
