import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InteractionDataset } from '../../src/data/interaction-dataset';
import { loadInteractionsCsv, loadItemsJsonl, readLines } from '../../src/data/loaders';
import { preprocess } from '../../src/data/preprocess';

function file(name: string, bytes: Buffer | string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mars-input-')), name);
  writeFileSync(path, bytes);
  return path;
}

async function lines(path: string): Promise<string[]> {
  const all: string[] = [];
  for await (const line of readLines(path)) all.push(line);
  return all;
}

describe('input files: bytes, not guesses', () => {
  it('refuses invalid UTF-8, naming the file, the line and the byte', async () => {
    // 'café' written in Latin-1 on line 3: a lone 0xE9 byte
    const csv = file(
      'interactions.csv',
      Buffer.concat([
        Buffer.from('user,item\nu1,a\nu'),
        Buffer.from([0x63, 0x61, 0x66, 0xe9]),
        Buffer.from(',b\n'),
      ]),
    );
    await expect(loadInteractionsCsv(csv)).rejects.toThrow(
      new RegExp(`${csv}:3: invalid UTF-8 at byte 5 of the line; the file must be UTF-8`),
    );
    const jsonl = file(
      'items.jsonl',
      Buffer.concat([
        Buffer.from('{"id":"a","text":"ok"}\n{"id":"b","text":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}\n'),
      ]),
    );
    await expect(loadItemsJsonl(jsonl)).rejects.toThrow(
      /items\.jsonl:2: invalid UTF-8 at byte 19 of the line/,
    );
    // an encoded surrogate (CESU-8) and an overlong '/' are invalid too
    await expect(lines(file('x.txt', Buffer.from([0x61, 0x0a, 0xed, 0xa0, 0x80])))).rejects.toThrow(
      /x\.txt:2: invalid UTF-8 at byte 1/,
    );
    await expect(lines(file('y.txt', Buffer.from([0xc0, 0xaf])))).rejects.toThrow(
      /y\.txt:1: invalid UTF-8 at byte 1/,
    );
  });

  it('reads CRLF, a byte order mark, a missing final newline and lines longer than a read chunk', async () => {
    const long = 'é'.repeat(100_000); // 200,000 bytes: spans several 64 KiB chunks
    const path = file(
      'lines.txt',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`first\r\n\n${long}\nहिन्दी\r\nlast`)]),
    );
    expect(await lines(path)).toEqual(['first', '', long, 'हिन्दी', 'last']);
  });

  it('keeps ids strings end to end: ids above 2^53 stay distinct', async () => {
    const big = ['12345678901234567000', '12345678901234567001', '9007199254740993'];
    expect(new Set(big.map(Number)).size).toBeLessThan(3); // as numbers, they would merge
    const items = await loadItemsJsonl(
      file('items.jsonl', big.map((id) => JSON.stringify({ id, text: `t ${id}` })).join('\n')),
    );
    const interactions = await loadInteractionsCsv(
      file('interactions.csv', ['user,item', ...big.map((id) => `${id},${id}`)].join('\n')),
    );
    const dataset = InteractionDataset.build(items, interactions);
    expect(dataset.itemIds).toEqual(big);
    expect(dataset.userIds).toEqual(big);
    expect(dataset.interactionCount).toBe(3);
  });

  it('refuses a numeric JSON id beyond 2^53 (it has already been rounded) and reads small ones as strings', async () => {
    const path = file('items.jsonl', '{"id": 17, "text": "a"}\n{"id": 12345678901234567000, "text": "b"}\n');
    await expect(loadItemsJsonl(path)).rejects.toThrow(
      /items\.jsonl:2: field "id" is a number JSON cannot hold exactly .* write ids as strings/,
    );
    expect(await loadItemsJsonl(file('ok.jsonl', '{"id": 17, "text": "a"}'))).toEqual([
      { id: '17', text: 'a' },
    ]);
  });

  it('reports negative, millisecond and mixed-unit timestamps in the preprocess report', () => {
    const items = ['a', 'b', 'c', 'd'].map((id) => ({ id, text: `word ${id}` }));
    const build = (times: number[]) =>
      InteractionDataset.build(
        items,
        times.map((timestamp, k) => ({ user: `u${k % 2}`, item: items[k].id, timestamp })),
      );
    expect(
      preprocess(build([1_700_000_000, 1_700_000_100, 1_600_000_000, 5])).report.implausibleTimestamps,
    ).toEqual({
      negative: 0,
      milliseconds: 0,
      mixedUnits: false,
    });
    // 1.7e12 is November 2023 in milliseconds
    expect(
      preprocess(build([1_700_000_000_000, 1_700_000_100_000, 1_700_000_000, -86_400])).report
        .implausibleTimestamps,
    ).toEqual({
      negative: 1,
      milliseconds: 2,
      mixedUnits: true,
    });
    expect(preprocess(build([1.7e12, 1.8e12, 1.9e12, 2e12])).report.implausibleTimestamps).toEqual({
      negative: 0,
      milliseconds: 4,
      mixedUnits: false,
    });
  });
});
