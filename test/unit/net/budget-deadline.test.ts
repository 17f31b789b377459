import { describe, expect, it } from 'vitest';
import { armBudget } from '../../../lib/upstream/budget.js';

describe('a stream budget with a distant deadline', () => {
  it('does not abort at once when the deadline is beyond the longest timer Node keeps', async () => {
    const now = Date.now();
    // 30 days: past setTimeout's 2^31 - 1 ms, which Node would clamp to 1 ms.
    const budget = armBudget({ timeoutMs: 60_000, deadline: now + 30 * 86_400_000 }, 'openai', 'stream', now);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(budget.signal.aborted).toBe(false);
    budget.dispose();
  });

  it('aborts at a near deadline', async () => {
    const now = Date.now();
    const budget = armBudget({ timeoutMs: 60_000, deadline: now + 10 }, 'openai', 'stream', now);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(budget.aborted()?.reason).toBe('deadline');
    budget.dispose();
  });
});
