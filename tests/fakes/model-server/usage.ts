// What a fake model charged in total, to compare with the usage the agent reported.

/** Every counter of `zero` summed over `usages`. */
export function sumUsage<U extends Record<string, number>>(usages: readonly U[], zero: U): U {
  const sum: Record<string, number> = { ...zero };
  for (const usage of usages) {
    for (const key of Object.keys(sum)) sum[key] = (sum[key] ?? 0) + (usage[key] ?? 0);
  }
  return sum as U;
}
