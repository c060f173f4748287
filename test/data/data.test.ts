import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeDataset,
  InteractionDataset,
  loadInteractionsCsv,
  loadItemsJsonl,
  loadMindBehaviors,
  loadMindNews,
  loadMovieLensRatings,
  preprocess,
  splitPerUser,
  UserSplit,
} from '../../src/data';
import { sharedDatasetPath } from '../helpers/shared-data';

function writeTemp(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mars-data-')), name);
  writeFileSync(path, content);
  return path;
}

describe('loaders', () => {
  it('read items.jsonl and interactions.csv files, with optional and quoted fields', async () => {
    const items = await loadItemsJsonl(
      writeTemp('items.jsonl', '{"id":"a","text":"Alpha text","title":"x"}\n\n{"id":7,"text":""}\n'),
    );
    expect(items).toEqual([
      { id: 'a', text: 'Alpha text' },
      { id: '7', text: '' },
    ]);
    const csv = 'user,item,rating,timestamp\nu1,a,5,100\n"u,2",7,,\nu1,7,3.5,200\n';
    expect(await loadInteractionsCsv(writeTemp('interactions.csv', csv))).toEqual([
      { user: 'u1', item: 'a', rating: 5, timestamp: 100 },
      { user: 'u,2', item: '7' },
      { user: 'u1', item: '7', rating: 3.5, timestamp: 200 },
    ]);
    expect(await loadInteractionsCsv(['item,user', 'a,u9'])).toEqual([{ user: 'u9', item: 'a' }]);
  });

  it('name the file, the line and the problem for bad input', async () => {
    await expect(loadItemsJsonl(['{"id":"a","text":"x"}', '{"id":"b",'])).rejects.toThrow(
      /<input>:2: invalid JSON/,
    );
    await expect(loadItemsJsonl(['{"id":"a","text":"x"}', '{"id":"a","text":"y"}'])).rejects.toThrow(
      /<input>:2: item id 'a' already appeared on line 1/,
    );
    await expect(loadItemsJsonl(['{"id":"a","text":3}'])).rejects.toThrow(
      /:1: field "text" of item 'a' must be a string/,
    );
    await expect(loadItemsJsonl(['{"text":"x"}'])).rejects.toThrow(/field "id" must be a non-empty string/);
    const path = writeTemp('bad.csv', 'user,item,rating\nu1,a,5\nu2,b,five\n');
    await expect(loadInteractionsCsv(path)).rejects.toThrow(
      new RegExp(`${path}:3: rating 'five' is not a number`),
    );
    await expect(loadInteractionsCsv(['user,item', 'u1,a,extra'])).rejects.toThrow(
      /:2: expected 2 fields as in the header, got 3/,
    );
    await expect(loadInteractionsCsv(['userid,movie'])).rejects.toThrow(
      /:1: the header must name the columns/,
    );
    await expect(loadInteractionsCsv(['user,item', '"u1,a'])).rejects.toThrow(
      /:2: a quoted field is not closed/,
    );
    await expect(loadInteractionsCsv([])).rejects.toThrow(/empty/);
    await expect(loadItemsJsonl('/nonexistent/items.jsonl')).rejects.toThrow(/ENOENT/);
  });
});

describe('InteractionDataset and preprocess', () => {
  const items = [
    { id: 'a', text: 'alpha words' },
    { id: 'b', text: ' ... !!! ' },
    { id: 'c', text: 'gamma' },
    { id: 'd', text: 'delta' },
  ];
  const interactions = [
    { user: 'u1', item: 'a', rating: 5, timestamp: 1 },
    { user: 'u1', item: 'c', rating: 2, timestamp: 2 },
    { user: 'u1', item: 'c', rating: 4, timestamp: 3 }, // duplicate pair: max rating, latest time
    { user: 'u2', item: 'b', rating: 5, timestamp: 4 },
    { user: 'u2', item: 'zz', rating: 5, timestamp: 5 }, // unknown item
    { user: 'u3', item: 'a', rating: 1, timestamp: 6 },
  ];

  it('indexes users and items densely, de-duplicates pairs and counts unknown items', () => {
    const dataset = InteractionDataset.build(items, interactions);
    expect(dataset.userIds).toEqual(['u1', 'u2', 'u3']);
    expect(dataset.unknownItemInteractions).toBe(1);
    expect(Array.from(dataset.interactions.offsets)).toEqual([0, 2, 3, 4]);
    expect(Array.from(dataset.interactions.indices)).toEqual([0, 2, 1, 0]);
    expect(Array.from(dataset.ratings ?? [])).toEqual([5, 4, 5, 1]);
    expect(Array.from(dataset.interactions.timestamps ?? [])).toEqual([1, 3, 4, 6]);
    expect(() => InteractionDataset.build(items, interactions, { onUnknownItem: 'error' })).toThrow(
      /interaction 4 \(user 'u2'\) names item 'zz'/,
    );
    expect(() => InteractionDataset.build([...items, { id: 'a', text: '' }], [])).toThrow(
      /'a' appears twice \(items 0 and 4\)/,
    );
  });

  it('drops in the documented order and reports every drop', () => {
    const { dataset, report } = preprocess(InteractionDataset.build(items, interactions), {
      minRating: 4,
      minUserInteractions: 2,
    });
    // rating: u3's a (1) goes; text: b has no word, u2's b goes; users: u2 (0 left) goes; items: b, d go
    expect(report).toEqual({
      interactionsBelowMinRating: 1,
      itemsWithoutText: 1,
      interactionsOfItemsWithoutText: 1,
      usersBelowMinInteractions: 2,
      interactionsOfDroppedUsers: 0,
      itemsWithoutInteractions: 1,
      implausibleTimestamps: { negative: 0, milliseconds: 0, mixedUnits: false },
      before: { users: 3, items: 4, interactions: 4 },
      after: { users: 1, items: 2, interactions: 2 },
    });
    expect(dataset.userIds).toEqual(['u1']);
    expect(dataset.itemIds).toEqual(['a', 'c']);
    expect(Array.from(dataset.interactions.indices)).toEqual([0, 1]);
    const stats = describeDataset(dataset);
    expect(stats.wordsPerItem).toEqual({ min: 1, avg: 1.5, max: 2, std: 0.5 });
    expect(stats.density).toBe(1);
  });
});

describe('splitPerUser', () => {
  const items = Array.from({ length: 30 }, (_, i) => ({ id: `i${i}`, text: `word${i}` }));
  const interactions = Array.from({ length: 12 }, (_, u) =>
    Array.from({ length: u + 1 }, (_, k) => ({
      user: `u${u}`,
      item: `i${(u * 7 + k * 3) % 30}`,
      timestamp: 100 * u + k,
    })),
  ).flat();
  const dataset = InteractionDataset.build(items, interactions);

  it('follows the documented rounding, partitions each user, and drops users under 3 items', () => {
    const split = splitPerUser(dataset, { seed: 4 });
    expect(split.droppedUsers).toBe(2);
    expect(split.userIds[0]).toBe('u2');
    split.userIds.forEach((id, row) => {
      const user = dataset.userIndex(id) as number;
      const n = dataset.interactions.offsets[user + 1] - dataset.interactions.offsets[user];
      const count = (m: typeof split.train): number => m.offsets[row + 1] - m.offsets[row];
      const trainCount = Math.max(1, Math.floor(0.3 * n));
      expect(count(split.train)).toBe(trainCount);
      expect(count(split.validation)).toBe(Math.floor((n - trainCount) / 2));
      expect(count(split.test)).toBe(n - trainCount - Math.floor((n - trainCount) / 2));
      const all = [split.train, split.validation, split.test].flatMap((m) =>
        Array.from(m.indices.subarray(m.offsets[row], m.offsets[row + 1])),
      );
      expect(all.sort((a, b) => a - b)).toEqual(
        Array.from(
          dataset.interactions.indices.subarray(
            dataset.interactions.offsets[user],
            dataset.interactions.offsets[user + 1],
          ),
        ),
      );
    });
  });

  it('is reproducible, chronological on request, and round-trips through JSON', () => {
    expect(splitPerUser(dataset, { seed: 4 }).toJSON()).toEqual(splitPerUser(dataset, { seed: 4 }).toJSON());
    const chronological = splitPerUser(dataset, { strategy: 'chronological' });
    const row = chronological.userIds.indexOf('u9'); // 10 items at times 900..909: train = the first 3
    const firstItems = [0, 1, 2]
      .map((k) => dataset.itemIndex(`i${(9 * 7 + k * 3) % 30}`) as number)
      .sort((a, b) => a - b);
    expect(
      Array.from(
        chronological.train.indices.subarray(
          chronological.train.offsets[row],
          chronological.train.offsets[row + 1],
        ),
      ),
    ).toEqual(firstItems);
    const json = JSON.parse(JSON.stringify(chronological)) as unknown;
    expect(UserSplit.fromJSON(json).toJSON()).toEqual(chronological.toJSON());
    expect(() => UserSplit.fromJSON({ format: 'mars-rec/split', version: 2 })).toThrow(
      /unsupported version 2/,
    );
    expect(() =>
      splitPerUser(InteractionDataset.build(items, [{ user: 'x', item: 'i1' }]), {
        strategy: 'leave-last-out',
      }),
    ).toThrow(/needs timestamps/);
  });
});

describe('splitPerUser timestamps', () => {
  it('keep each entry its own time in every part, survive JSON, and stay absent without times', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, text: `w${i}` }));
    // user u likes items (u + 3k) % 20 at time 1000 u + 17 k: the time says which item it is
    const interactions = Array.from({ length: 6 }, (_, u) =>
      Array.from({ length: 5 + u }, (_, k) => ({
        user: `u${u}`,
        item: `i${(u + 3 * k) % 20}`,
        timestamp: 1000 * u + 17 * k,
      })),
    ).flat();
    const timeOf = new Map(interactions.map((x) => [`${x.user}/${x.item}`, x.timestamp]));
    const split = splitPerUser(InteractionDataset.build(items, interactions), { seed: 2 });
    for (const part of [split.train, split.validation, split.test]) {
      expect(part.timestamps).toBeDefined();
      for (let row = 0; row < part.rowCount; row++)
        for (let k = part.offsets[row]; k < part.offsets[row + 1]; k++)
          expect(part.timestamps?.[k]).toBe(
            timeOf.get(`${split.userIds[row]}/${split.itemIds[part.indices[k]]}`),
          );
    }
    const history = split.historyOf('u5', 'test');
    const historyTimes = history.map((item) => timeOf.get(`u5/${item}`) as number);
    expect(historyTimes).toEqual([...historyTimes].sort((a, b) => a - b));
    const row = split.userIds.indexOf('u5');
    expect(history.length).toBe(split.test.offsets[row + 1] - split.test.offsets[row]);
    expect(split.historyOf(0)).toEqual(split.historyOf(split.userIds[0]));
    expect(() => split.historyOf('nobody')).toThrow(/user "nobody" is not in the split/);
    const restored = UserSplit.fromJSON(JSON.parse(JSON.stringify(split)) as unknown);
    expect(Array.from(restored.train.timestamps ?? [])).toEqual(Array.from(split.train.timestamps ?? []));
    const untimed = splitPerUser(
      InteractionDataset.build(
        items,
        interactions.map(({ user, item }) => ({ user, item })),
      ),
      { seed: 2 },
    );
    expect(untimed.train.timestamps).toBeUndefined();
    expect(untimed.toJSON().timestamps).toBeUndefined();
    const broken = { ...split.toJSON(), timestamps: { ...split.toJSON().timestamps, test: [[1]] } };
    expect(() => UserSplit.fromJSON(broken)).toThrow(/"timestamps.test" does not match the shape of "test"/);
  });
});

describe('shared datasets', () => {
  const movies = sharedDatasetPath('movies_tmdb_small');
  it.skipIf(!movies)(
    'movies_tmdb_small matches its README counts (skipped when ../shared/data is absent)',
    async () => {
      const folder = movies as string;
      const raw = InteractionDataset.build(
        await loadItemsJsonl(join(folder, 'items.jsonl')),
        await loadInteractionsCsv(join(folder, 'interactions.csv')),
      );
      expect(raw.itemCount).toBe(8997);
      expect(raw.userCount).toBe(671);
      const positives = preprocess(raw, { minRating: 4, dropItemsWithoutText: false });
      expect(positives.dataset.interactionCount).toBe(51439);
      expect(positives.dataset.itemCount).toBe(6123);
      const withThree = preprocess(raw, {
        minRating: 4,
        minUserInteractions: 3,
        dropItemsWithoutText: false,
      });
      expect(withThree.dataset.userCount).toBe(666);
    },
  );
});

describe('format adapters', () => {
  it('read MovieLens ratings.csv and u.data', async () => {
    expect(await loadMovieLensRatings(['userId,movieId,rating,timestamp', '1,31,2.5,1260759144'])).toEqual([
      { user: '1', item: '31', rating: 2.5, timestamp: 1260759144 },
    ]);
    expect(await loadMovieLensRatings(['196\t242\t3\t881250949'])).toEqual([
      { user: '196', item: '242', rating: 3, timestamp: 881250949 },
    ]);
    await expect(loadMovieLensRatings(['1,31,x,5'])).rejects.toThrow(/:1: rating 'x' is not a number/);
  });

  it('read MIND news.tsv and behaviors.tsv: clicks are history items and impressions labelled 1', async () => {
    const news = await loadMindNews([
      'N1\tnews\tpolitics\tTitle one\tAbstract one\turl\t[]\t[]',
      'N2\tsports\tsoccer\tTitle two\t\turl\t[]\t[]',
    ]);
    expect(news).toEqual([
      { id: 'N1', text: 'Title one. Abstract one' },
      { id: 'N2', text: 'Title two' },
    ]);
    const clicks = await loadMindBehaviors(['1\tU7\t11/11/2019 9:05:58 AM\tN1 N2\tN3-1 N4-0']);
    expect(clicks).toEqual([
      { user: 'U7', item: 'N1' },
      { user: 'U7', item: 'N2' },
      { user: 'U7', item: 'N3', timestamp: Date.UTC(2019, 10, 11, 9, 5, 58) / 1000 },
    ]);
    await expect(loadMindBehaviors(['1\tU7\t11/11/2019 9:05:58 AM\t\tN3-2'])).rejects.toThrow(
      /:1: impression 'N3-2' is not of the form/,
    );
    await expect(loadMindNews(['N1\tx'])).rejects.toThrow(/:1: expected at least 5 tab-separated fields/);
  });
});
