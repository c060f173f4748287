// A seeded generator of page-view logs at scale, shaped like the seed's corpus (news views):
// power-law user activity and item popularity, timestamps in time order over 90 days, item texts
// of ~400 words. Writes interactions.csv and items.jsonl, then Parquet copies through DuckDB,
// into a cache folder outside the repository (reused when present).
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToParquet } from '../../src/data/parquet-source';
import { SeededRandom } from '../../src/sampling/random';

/** Options of {@link generateScaleCorpus}. */
export interface ScaleCorpusOptions {
  /** Interaction rows (page views, repeats included). */
  interactions: number;
  /** Users. Default interactions / 10. */
  users?: number;
  /** Items. Default 100,000. */
  items?: number;
  /** Mean words of an item text. Default 398 (the seed's articles). */
  wordsPerItem?: number;
  /** Seed. Default 1. */
  seed?: number;
  /** Folder of the cache. Default `$TMPDIR/mars-rec-scale`. */
  folder?: string;
}

/** The files of a generated corpus. */
export interface ScaleCorpus {
  /** interactions.csv (user,item,timestamp). */
  csv: string;
  /** The same rows as Parquet (BIGINT columns). */
  parquet: string;
  /** items.jsonl ({"id","text"}). */
  items: string;
  /** The same items as Parquet. */
  itemsParquet: string;
  /** Options used. */
  options: Required<ScaleCorpusOptions>;
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ba',
  'de',
  'fi',
  'go',
  'ha',
  'ju',
  'ke',
  'ly',
  'po',
  'qu',
  'zo',
  'xe',
];

/** A deterministic pseudo-word for word rank `rank` (2 to 4 syllables). */
function wordOf(rank: number): string {
  let word = '';
  let value = rank + 20;
  while (value > 0) {
    word += SYLLABLES[value % SYLLABLES.length];
    value = Math.floor(value / SYLLABLES.length);
  }
  return word;
}

/** Generates (or reuses) a corpus; see {@link ScaleCorpusOptions}. */
export async function generateScaleCorpus(options: ScaleCorpusOptions): Promise<ScaleCorpus> {
  const resolved: Required<ScaleCorpusOptions> = {
    interactions: options.interactions,
    users: options.users ?? Math.max(10, Math.round(options.interactions / 10)),
    items: options.items ?? 100_000,
    wordsPerItem: options.wordsPerItem ?? 398,
    seed: options.seed ?? 1,
    folder: options.folder ?? join(tmpdir(), 'mars-rec-scale'),
  };
  const itemFolder = join(
    resolved.folder,
    `items-${resolved.items}-w${resolved.wordsPerItem}-s${resolved.seed}`,
  );
  const folder = join(
    resolved.folder,
    `views-${resolved.interactions}-u${resolved.users}-i${resolved.items}-s${resolved.seed}`,
  );
  mkdirSync(itemFolder, { recursive: true });
  mkdirSync(folder, { recursive: true });
  const corpus: ScaleCorpus = {
    csv: join(folder, 'interactions.csv'),
    parquet: join(folder, 'interactions.parquet'),
    items: join(itemFolder, 'items.jsonl'),
    itemsParquet: join(itemFolder, 'items.parquet'),
    options: resolved,
  };
  if (!done(itemFolder)) {
    writeItems(corpus.items, resolved);
    await convertToParquet(corpus.items, corpus.itemsParquet);
    markDone(itemFolder);
  }
  if (!done(folder)) {
    writeInteractions(corpus.csv, resolved);
    await convertToParquet(corpus.csv, corpus.parquet);
    markDone(folder);
  }
  return corpus;
}

const done = (folder: string): boolean => existsSync(join(folder, 'done.json'));
const markDone = (folder: string): void =>
  writeFileSync(join(folder, 'done.json'), JSON.stringify({ at: new Date().toISOString() }));

/** Buffered writes to a file, then a rename into place. */
class FileWriter {
  private readonly buffer = Buffer.allocUnsafe(1 << 22);
  private used = 0;
  private readonly fd: number;
  private readonly temporary: string;

  constructor(private readonly path: string) {
    this.temporary = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.temporary, 'w');
  }

  write(text: string): void {
    if (this.used + text.length * 3 > this.buffer.length) this.flush();
    if (text.length * 3 > this.buffer.length) writeSync(this.fd, text);
    else this.used += this.buffer.write(text, this.used);
  }

  flush(): void {
    writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.temporary, this.path);
  }
}

function writeItems(path: string, options: Required<ScaleCorpusOptions>): void {
  const rng = new SeededRandom(options.seed * 7 + 1);
  const vocabulary = 50_000;
  const words = Array.from({ length: vocabulary }, (_, rank) => wordOf(rank));
  const sigma = 0.5;
  const mu = Math.log(options.wordsPerItem) - (sigma * sigma) / 2;
  const writer = new FileWriter(path);
  for (let item = 0; item < options.items; item++) {
    // log-normal length, Zipf(1) word frequencies (rank = V^u - 1)
    const z = Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
    const length = Math.max(5, Math.round(Math.exp(mu + sigma * z)));
    const parts = new Array<string>(length);
    for (let k = 0; k < length; k++) parts[k] = words[Math.floor(Math.pow(vocabulary, rng.nextFloat())) - 1];
    writer.write(`{"id":${item},"text":"${parts.join(' ')}."}\n`);
  }
  writer.close();
}

function writeInteractions(path: string, options: Required<ScaleCorpusOptions>): void {
  const rng = new SeededRandom(options.seed);
  const { interactions, users, items } = options;
  const start = 1_600_000_000;
  const span = 90 * 86_400;
  // affine bijections scatter the activity and popularity ranks over the ids
  const userStep = coprimeStep(users);
  const itemStep = coprimeStep(items);
  const writer = new FileWriter(path);
  writer.write('user,item,timestamp\n');
  for (let k = 0; k < interactions; k++) {
    // power laws: a rank r has probability ~ r^(-1/2) (users) and r^(-1/2) (items)
    const userRank = Math.floor(users * Math.pow(rng.nextFloat(), 2));
    const itemRank = Math.floor(items * Math.pow(rng.nextFloat(), 2));
    const user = (userRank * userStep) % users;
    const item = (itemRank * itemStep) % items;
    const time = start + Math.floor((k / interactions) * span) + rng.nextInt(60);
    writer.write(`${user + 1_000_000},${item},${time}\n`);
  }
  writer.close();
}

/** A step coprime with n, near n times the golden ratio's fraction. */
function coprimeStep(n: number): number {
  let step = Math.max(1, Math.floor(n * 0.6180339887));
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(step, n) !== 1) step++;
  return step;
}

/** Reads the generator's options back from a corpus folder's files (for reports). */
export function describeCorpus(corpus: ScaleCorpus): string {
  const { interactions, users, items, wordsPerItem } = corpus.options;
  return `${interactions} views, ${users} users drawn, ${items} items of ~${wordsPerItem} words`;
}

// `node --import tsx bench/scale/generate.ts 10000000`: generate one size and print the paths
if (process.argv[1]?.endsWith('generate.ts') && process.argv[2]) {
  const corpus = await generateScaleCorpus({ interactions: Number(process.argv[2]) });
  console.log(JSON.stringify(corpus, null, 2));
}
