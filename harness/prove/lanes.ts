// A fixed number of lanes working through a queue in order: each lane takes
// the next item as soon as its own is done (no barrier between "rounds", so a
// run that stops early frees its lane at once). The first error stops new
// items from starting; the ones running are waited for, then it is thrown.

export async function runInLanes<T>(items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`runInLanes: lanes must be a whole number ≥ 1, got ${lanes}`);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
