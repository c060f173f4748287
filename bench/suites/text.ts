// `npm run bench -- text`: tokenize + encode throughput over movies_tmdb_small's item texts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCorpus, Tokenizer, Vocabulary } from '../../src/text/index';
import { sharedDatasetPath } from '../shared-data';
import type { BenchRow } from '../types';

const targetTokensPerSecond = 3e6;
const minimumSeconds = 1.5;

interface ItemLine {
  id: string;
  text: string;
}

function measure(run: () => number): { tokensPerSecond: number; rounds: number } {
  run(); // warm-up: JIT and inline caches
  let tokens = 0;
  let rounds = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < minimumSeconds * 1000) {
    tokens += run();
    rounds++;
    elapsed = performance.now() - started;
  }
  return { tokensPerSecond: tokens / (elapsed / 1000), rounds };
}

export default async function textSuite(): Promise<BenchRow[]> {
  const folder = sharedDatasetPath('movies_tmdb_small');
  if (folder === undefined) {
    console.error('bench text: ../shared/data/movies_tmdb_small not found; skipping');
    return [];
  }
  const items = readFileSync(join(folder, 'items.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as ItemLine);
  const texts = items.map((item) => item.text);

  const rows: BenchRow[] = [];
  const configurations: { label: string; tokenizer: Tokenizer; target: boolean }[] = [
    { label: 'defaults', tokenizer: new Tokenizer(), target: true },
    { label: 'stopwords en', tokenizer: new Tokenizer({ stopwords: 'en' }), target: false },
    {
      label: 'html + stopwords en',
      tokenizer: new Tokenizer({ html: true, stopwords: 'en' }),
      target: false,
    },
  ];
  for (const { label, tokenizer, target } of configurations) {
    // untimed: fit the vocabulary first
    const vocabulary = Vocabulary.fit(texts, { tokenizer, minCount: 2 });
    const encode = measure(() => encodeCorpus(texts, tokenizer, vocabulary).values.length);
    const tokenizeThenEncode = measure(() => {
      let count = 0;
      for (const text of texts) count += vocabulary.encode(tokenizer.tokenize(text)).length;
      return count;
    });
    const notes = `${texts.length} items, vocabulary ${vocabulary.size} ids, tokenizer ${label}, tokens counted after stopword removal`;
    rows.push({
      suite: 'text',
      name: `encodeCorpus (tokenize + encode, one pass) movies_tmdb_small, ${label}`,
      value: encode.tokensPerSecond,
      unit: 'tokens/s',
      ...(target ? { target: '>= 3e6', pass: encode.tokensPerSecond >= targetTokensPerSecond } : {}),
      notes: `${notes}, ${encode.rounds} rounds`,
    });
    rows.push({
      suite: 'text',
      name: `tokenize() then encode() per item, movies_tmdb_small, ${label}`,
      value: tokenizeThenEncode.tokensPerSecond,
      unit: 'tokens/s',
      notes: `${notes}, ${tokenizeThenEncode.rounds} rounds`,
    });
  }
  return rows;
}
