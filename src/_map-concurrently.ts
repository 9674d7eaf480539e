/**
 * Maps `items` through `action` with at most `limit` actions in flight at once, and returns the
 * results in the order of `items`. Reading many small objects one by one wastes round trips
 * (GCS), and reading them all at once opens as many sockets or file handles as there are
 * objects; a bound keeps both in check. The first failure rejects; actions already started are
 * left to finish, and no new one starts.
 */
export async function mapConcurrently<Item, Result>(
  items: readonly Item[],
  limit: number,
  action: (item: Item, index: number) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await action(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
