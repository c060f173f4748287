// `npm run probes`: what bounds MARS on a dataset (docs/quality.md, "What bounds MARS"): how far
// the item text alone and simple neighbourhood models go, and what the text adds to a tuned
// BPR-MF, on the validation split of the experiment's protocol (its loader and split); ~20 s on
// movies_tmdb_small.
//
//   --data DIR       dataset folder (items.jsonl + interactions.csv); default ../shared/data/movies_tmdb_small
//   --split-seed S   seed of the per-user 0.3 split (default 1)
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BprMatrixFactorization, PopularityRecommender } from '../src/baselines';
import { evaluateRanking } from '../src/metrics';
import { Tokenizer } from '../src/text';
import { loadExperimentData, rowOf } from './experiment';
import { sharedDatasetPath } from './shared-data';

type RowScorer = (user: number, out: Float32Array) => void;

/** L2-normalised TF-IDF vectors (log term frequency) of item texts, as sparse maps word -> weight. */
function tfidfVectors(texts: readonly string[]): {
  vectors: Map<number, number>[];
  postings: [number, number][][];
} {
  const tokenizer = new Tokenizer({ html: true, stopwords: ['en'] });
  const documents = texts.map((text) => tokenizer.tokenize(text));
  const documentFrequency = new Map<string, number>();
  for (const document of documents)
    for (const word of new Set(document)) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  const wordIds = new Map<string, number>();
  const idf: number[] = [];
  for (const [word, count] of documentFrequency) {
    if (count < 2 || count >= 0.2 * texts.length) continue; // no hapax, no near-stopword
    wordIds.set(word, wordIds.size);
    idf.push(Math.log(texts.length / count));
  }
  const postings: [number, number][][] = Array.from({ length: wordIds.size }, () => []);
  const vectors = documents.map((document, item) => {
    const counts = new Map<number, number>();
    for (const word of document) {
      const id = wordIds.get(word);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const weights = new Map<number, number>();
    let norm = 0;
    for (const [id, count] of counts) {
      const weight = (1 + Math.log(count)) * idf[id];
      weights.set(id, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [id, weight] of weights) {
      weights.set(id, weight / norm);
      postings[id].push([item, weight / norm]);
    }
    return weights;
  });
  return { vectors, postings };
}

/** Runs the probes; returns one line per probe: validation recall@50 and MAP@500. */
export async function runProbes(
  data: string,
  splitSeed: number,
  log = console.log,
): Promise<Record<string, Record<string, number>>> {
  const { itemIds, itemTexts, train, validation } = await loadExperimentData({
    data,
    minRating: 4,
    splitSeed,
  });
  const items = itemIds.length;
  const users = train.rowCount;
  const evaluate = async (score: RowScorer): Promise<Record<string, number>> =>
    (
      await evaluateRanking({
        itemCount: items,
        targets: validation,
        exclude: train,
        metrics: ['recall@50', 'map@500'],
        score: (batch) => {
          const out = new Float32Array(batch.length * items);
          batch.forEach((user, row) => score(user, out.subarray(row * items, (row + 1) * items)));
          return out;
        },
      })
    ).mean;
  const results: Record<string, Record<string, number>> = {};
  const report = async (name: string, score: RowScorer): Promise<void> => {
    results[name] = await evaluate(score);
    log(
      `${name}: recall@50 ${results[name]['recall@50'].toFixed(4)}, map@500 ${results[name]['map@500'].toFixed(4)}`,
    );
  };

  const counts = PopularityRecommender.fit(train).itemCounts;
  const tieBreak = (out: Float32Array): void => {
    for (let item = 0; item < items; item++) out[item] += 1e-6 * counts[item];
  };
  await report('popularity', (_, out) => out.set(counts));

  const { vectors, postings } = tfidfVectors(itemTexts);
  const content: RowScorer = (user, out) => {
    const profile = new Map<number, number>();
    for (const item of rowOf(train, user))
      for (const [word, weight] of vectors[item]) profile.set(word, (profile.get(word) ?? 0) + weight);
    for (const [word, weight] of profile)
      for (const [item, value] of postings[word]) out[item] += weight * value;
  };
  await report('TF-IDF profile of the history (content only)', content);

  const cooccurrence = new Float32Array(items * items);
  for (let user = 0; user < users; user++) {
    const row = rowOf(train, user);
    for (const a of row) for (const b of row) if (a !== b) cooccurrence[a * items + b] += 1;
  }
  for (const [name, exponent] of [
    ['item-kNN, raw co-occurrence', 0],
    ['item-kNN, cosine', 0.5],
  ] as const) {
    await report(name, (user, out) => {
      for (const h of rowOf(train, user)) {
        for (let item = 0; item < items; item++) {
          const value = cooccurrence[h * items + item];
          if (value) out[item] += value / Math.pow(counts[h] * counts[item], exponent);
        }
      }
      tieBreak(out);
    });
  }

  const sets = Array.from({ length: users }, (_, user) => new Set(rowOf(train, user)));
  await report('user-kNN, cosine squared', (user, out) => {
    for (let other = 0; other < users; other++) {
      if (other === user || sets[other].size === 0 || sets[user].size === 0) continue;
      let common = 0;
      for (const item of sets[user]) if (sets[other].has(item)) common++;
      if (common === 0) continue;
      const weight = (common * common) / (sets[user].size * sets[other].size);
      for (const item of sets[other]) out[item] += weight;
    }
    tieBreak(out);
  });

  const mf = BprMatrixFactorization.fit(train, { seed: 1 });
  const mfScores = mf.scoreUsers(Int32Array.from({ length: users }, (_, user) => user));
  await report('BPR-MF (64 factors, 300 epochs, L2 0.03)', (user, out) =>
    out.set(mfScores.subarray(user * items, (user + 1) * items)),
  );
  const profile = new Float32Array(items);
  for (const weight of [3, 10, 30]) {
    await report(`BPR-MF + ${weight} x TF-IDF profile`, (user, out) => {
      profile.fill(0);
      content(user, profile);
      const length = Math.max(1, rowOf(train, user).length);
      for (let item = 0; item < items; item++)
        out[item] = mfScores[user * items + item] + (weight * profile[item]) / length;
    });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, 'split-seed': { type: 'string', default: '1' } },
  });
  const data = values.data ?? sharedDatasetPath('movies_tmdb_small');
  if (!data) {
    console.error('probes: ../shared/data/movies_tmdb_small is absent; pass --data DIR');
    process.exitCode = 1;
  } else {
    runProbes(data, Number(values['split-seed'])).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
  }
}
