/**
 * The delay before retry `retry` (1-based: the first attempt runs at once): the retry's entry in the list, the last
 * entry repeating for retries beyond it, 0 for an empty list. With [1, 2, 4] s a remediation and its three retries
 * run at +0, +1, +3 and +7 s. Every retry loop (remediation, Telegram, webhook, email) takes its delays from here.
 */
export function getBackoffDelayMs(retry: number, delaysMs: readonly number[]): number {
  if (delaysMs.length === 0) return 0;
  const index = Math.min(Math.max(1, Math.floor(retry)), delaysMs.length) - 1;
  return Math.max(0, delaysMs[index]!);
}
