// `npm run bench -- ragged`: padded/real token ratio of triplet batches drawn from
// movies_tmdb_small, with length buckets under the token budget versus padding to the batch maximum.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RaggedRows } from '../../src/ragged/index';
import { DEFAULT_TOKEN_BUDGET, planTripletDocuments, raggedFromRows } from '../../src/ragged/index';
import { SeededRandom } from '../../src/sampling/random';
import { encodeCorpus, Tokenizer, Vocabulary } from '../../src/text/index';
import { sharedDatasetPath } from '../shared-data';
import type { BenchRow } from '../types';

const batchSize = 128;
const batches = 100;
const maxHistory = 50;
const maxDocumentLength = 300;
const minRating = 4;
const targetRatio = 1.15;

interface ItemLine {
  id: string;
  text: string;
}

/** Per-user positives (rating >= 4) as item indices, users with at least one positive. */
function loadPositives(folder: string, itemIndex: Map<string, number>): number[][] {
  const byUser = new Map<string, Set<number>>();
  const lines = readFileSync(join(folder, 'interactions.csv'), 'utf8').split('\n');
  for (let line = 1; line < lines.length; line++) {
    if (lines[line].trim() === '') continue;
    const [user, item, rating] = lines[line].split(',');
    const index = itemIndex.get(item);
    if (index === undefined || !(Number(rating) >= minRating)) continue;
    let items = byUser.get(user);
    if (items === undefined) byUser.set(user, (items = new Set()));
    items.add(index);
  }
  return [...byUser.values()].map((items) => [...items].sort((a, b) => a - b));
}

/** One batch: user uniform, positive from the user's items, history = the others (random 50), negative uniform. */
function drawBatch(random: SeededRandom, positives: number[][], itemCount: number) {
  const histories: number[][] = [];
  const positiveItems = new Int32Array(batchSize);
  const negativeItems = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const items = positives[random.nextInt(positives.length)].slice();
    const j = random.nextInt(items.length);
    positiveItems[b] = items[j];
    items[j] = items[items.length - 1];
    items.pop();
    // partial Fisher-Yates: a uniform subset of at most maxHistory items
    const kept = Math.min(maxHistory, items.length);
    for (let i = 0; i < kept; i++) {
      const k = i + random.nextInt(items.length - i);
      [items[i], items[k]] = [items[k], items[i]];
    }
    histories.push(items.slice(0, kept));
    negativeItems[b] = random.nextInt(itemCount);
  }
  return { histories: raggedFromRows(histories), positives: positiveItems, negatives: negativeItems };
}

function longest(documents: RaggedRows, items: ArrayLike<number>): number {
  let result = 1;
  for (let i = 0; i < items.length; i++) {
    result = Math.max(result, documents.rowSplits[items[i] + 1] - documents.rowSplits[items[i]]);
  }
  return result;
}

interface Totals {
  real: number;
  bucketed: number;
  toBatchMaximum: number;
  withoutDedupe: number;
  buckets: number;
  slots: number;
  documentSlots: number;
  uniqueDocuments: number;
  historySlots: number;
  realHistorySlots: number;
  milliseconds: number;
}

function measure(
  positives: number[][],
  documents: RaggedRows,
  tokenBudget: number,
  sharedEncoder: boolean,
): Totals {
  const random = new SeededRandom(2019);
  const itemCount = documents.rowSplits.length - 1;
  const totals: Totals = {
    real: 0,
    bucketed: 0,
    toBatchMaximum: 0,
    withoutDedupe: 0,
    buckets: 0,
    slots: 0,
    documentSlots: 0,
    uniqueDocuments: 0,
    historySlots: 0,
    realHistorySlots: 0,
    milliseconds: 0,
  };
  for (let round = 0; round < batches; round++) {
    const batch = drawBatch(random, positives, itemCount);
    const started = performance.now();
    const plan = planTripletDocuments(batch, documents, { tokenBudget, sharedEncoder, maxHistory });
    totals.milliseconds += performance.now() - started;
    const sides = sharedEncoder ? [plan.memory] : [plan.memory, plan.candidates];
    for (const side of sides) {
      totals.real += side.realTokens;
      totals.bucketed += side.paddedTokens;
      totals.buckets += side.buckets.length;
      totals.uniqueDocuments += side.order.length;
      // one block per side padded to its longest document
      totals.toBatchMaximum += side.order.length * longest(documents, side.order);
    }
    const historyItems = batch.histories.values;
    const realSlots = historyItems.length + 2 * batchSize;
    totals.documentSlots += realSlots;
    // no dedupe, no buckets: [batch, width, longest] memory plus [batch, longest] j and j' (the report's form)
    const documentMaximum = Math.max(
      longest(documents, historyItems),
      longest(documents, batch.positives),
      longest(documents, batch.negatives),
    );
    totals.withoutDedupe += (batchSize * plan.history.width + 2 * batchSize) * documentMaximum;
    totals.historySlots += batchSize * plan.history.width;
    totals.realHistorySlots += historyItems.length;
  }
  return totals;
}

export default async function raggedSuite(): Promise<BenchRow[]> {
  const folder = sharedDatasetPath('movies_tmdb_small');
  if (folder === undefined) {
    console.error('bench ragged: ../shared/data/movies_tmdb_small not found; skipping');
    return [];
  }
  const items = readFileSync(join(folder, 'items.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as ItemLine);
  const itemIndex = new Map(items.map((item, index) => [item.id, index]));
  const tokenizer = new Tokenizer();
  const texts = items.map((item) => item.text);
  const vocabulary = Vocabulary.fit(texts, { tokenizer, minCount: 2 });
  const documents = encodeCorpus(texts, tokenizer, vocabulary, { maxLength: maxDocumentLength });
  const positives = loadPositives(folder, itemIndex);

  const setting = `${batches} batches of ${batchSize} triplets, seed 2019, history <= ${maxHistory}, documents <= ${maxDocumentLength} tokens (src/text Tokenizer defaults), rating >= ${minRating}, ${positives.length} users, ${items.length} items`;
  const rows: BenchRow[] = [];
  const main = measure(positives, documents, DEFAULT_TOKEN_BUDGET, false);
  const ratio = main.bucketed / main.real;
  rows.push(
    {
      suite: 'ragged',
      name: `padded/real tokens, dedupe + length buckets (budget ${DEFAULT_TOKEN_BUDGET})`,
      value: ratio,
      unit: 'ratio',
      target: `<= ${targetRatio}`,
      pass: ratio <= targetRatio,
      notes: `${setting}; two encoders (memory, candidates); ${(main.buckets / batches).toFixed(1)} buckets a batch`,
    },
    {
      suite: 'ragged',
      name: 'padded/real tokens, dedupe, padded to the batch maximum',
      value: main.toBatchMaximum / main.real,
      unit: 'ratio',
      notes: 'same batches; one block per encoder, every unique document padded to the longest',
    },
    {
      suite: 'ragged',
      name: 'padded/real tokens, no dedupe, padded to the batch maximum',
      value: main.withoutDedupe / main.real,
      unit: 'ratio',
      notes:
        'same batches; [batch, history, longest] + 2 x [batch, longest] over the real tokens of the unique documents',
    },
    {
      suite: 'ragged',
      name: 'document slots / unique documents (dedupe factor)',
      value: main.documentSlots / main.uniqueDocuments,
      unit: 'ratio',
      notes: `${(main.uniqueDocuments / batches).toFixed(0)} unique documents a batch (both encoders)`,
    },
    {
      suite: 'ragged',
      name: 'history slots padded/real ([batch, width] vs real items)',
      value: main.historySlots / main.realHistorySlots,
      unit: 'ratio',
    },
    {
      suite: 'ragged',
      name: 'planTripletDocuments time',
      value: main.milliseconds / batches,
      unit: 'ms/batch',
      notes: 'dedupe + bucketing + index building, no tensors',
    },
  );
  const shared = measure(positives, documents, DEFAULT_TOKEN_BUDGET, true);
  rows.push({
    suite: 'ragged',
    name: `padded/real tokens, sharedEncoder, buckets (budget ${DEFAULT_TOKEN_BUDGET})`,
    value: shared.bucketed / shared.real,
    unit: 'ratio',
    notes: `one encoder; batch maximum would give ${(shared.toBatchMaximum / shared.real).toFixed(3)}; ${(shared.buckets / batches).toFixed(1)} buckets a batch`,
  });
  for (const tokenBudget of [1024, 2048, 8192, 16384, 32768, 65536]) {
    const sweep = measure(positives, documents, tokenBudget, false);
    rows.push({
      suite: 'ragged',
      name: `padded/real tokens, buckets, budget ${tokenBudget}`,
      value: sweep.bucketed / sweep.real,
      unit: 'ratio',
      notes: `${(sweep.buckets / batches).toFixed(1)} buckets a batch`,
    });
  }
  return rows;
}
