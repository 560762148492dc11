import { describe, expect, it } from "vitest";
import type { OptOutList } from "../src/sending/channel.js";
import { OptOutListCache } from "../src/sending/opt-out-list.js";

const list = (list_id: number): OptOutList => ({ list_id, members: [] });

describe("OptOutListCache", () => {
  it("keeps a read for its time, per account, and reads again after", async () => {
    const cache = new OptOutListCache(60_000);
    let reads = 0;
    const read = async () => list(++reads);
    expect(await cache.get("a", 0, read)).toEqual(list(1));
    expect(await cache.get("a", 59_999, read)).toEqual(list(1));
    expect(await cache.get("b", 59_999, read)).toEqual(list(2));
    expect(await cache.get("a", 60_000, read)).toEqual(list(3));
  });

  it("shares one read between callers while it runs", async () => {
    const cache = new OptOutListCache();
    let reads = 0;
    let finish: (value: OptOutList) => void = () => {};
    const read = () => {
      reads++;
      return new Promise<OptOutList>((resolve) => {
        finish = resolve;
      });
    };
    const first = cache.get("a", 0, read);
    const second = cache.get("a", 1, read);
    finish(list(7));
    expect(await Promise.all([first, second])).toEqual([list(7), list(7)]);
    expect(reads).toBe(1);
  });

  it("keeps no failed read, and no read across a clock set back", async () => {
    const cache = new OptOutListCache();
    await expect(cache.get("a", 0, () => Promise.reject(new Error("500")))).rejects.toThrow("500");
    expect(await cache.get("a", 1, async () => list(1))).toEqual(list(1));
    expect(await cache.get("a", 0, async () => list(2))).toEqual(list(2));
  });
});
