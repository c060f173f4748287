// One measurement of the scale bench, in its own process so that its peak RSS is its own:
// load items (token store) and interactions, build the CSR, then optionally split, sample,
// train BPR-MF briefly and evaluate a sample of users. Prints one JSON object on stdout.
//   node --import tsx bench/scale/load-worker.ts --items F --interactions F --token-cache F [--train]
import { parseArgs } from 'node:util';
import { BprMatrixFactorization } from '../../src/collaborative/bpr-mf';
import { PopularityRecommender } from '../../src/baselines/popularity';
import { InteractionDataset } from '../../src/data/interaction-dataset';
import { readInteractions } from '../../src/data/load-dataset';
import { loadItemTokens } from '../../src/data/load-items';
import { preprocess } from '../../src/data/preprocess';
import { splitPerUser } from '../../src/data/split';
import { evaluateSampledUsers } from '../../src/metrics/sample-users';
import { BprTripletSampler } from '../../src/sampling/bpr-triplet-sampler';
import { Tokenizer } from '../../src/text/tokenizer';

const { values } = parseArgs({
  options: {
    items: { type: 'string' },
    interactions: { type: 'string' },
    'token-cache': { type: 'string' },
    train: { type: 'boolean' },
  },
});
const cpuSeconds = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

const { store, fromCache } = await loadItemTokens(values.items as string, {
  tokenizer: new Tokenizer(),
  cache: values['token-cache'] ?? false,
});
const idColumns = store.itemIds.toColumns();
const itemStoreBytes =
  store.tokens.byteLength +
  store.offsets.byteLength +
  store.counts.byteLength +
  ('keys' in idColumns
    ? idColumns.keys.byteLength
    : idColumns.arena.byteLength + idColumns.starts.byteLength) +
  store.words.reduce((sum, word) => sum + word.length + 40, 0);
const rssAfterItems = process.memoryUsage().rss;

let wall = performance.now();
let cpu = cpuSeconds();
const streamed = await readInteractions(values.interactions as string, { items: store.itemIds });
const readSeconds = (performance.now() - wall) / 1000;
const readCpuSeconds = cpuSeconds() - cpu;
const readPeakRss = peakRss();
const rssAfterRead = process.memoryUsage().rss;
wall = performance.now();
cpu = cpuSeconds();
const userCount = streamed.users.size;
const { matrix } = streamed.columns.toCsr(userCount, store.size);
const indexSeconds = (performance.now() - wall) / 1000;
const indexCpuSeconds = cpuSeconds() - cpu;
const loadPeakRss = peakRss();
const rows = streamed.rows;
const result: Record<string, number | string | boolean> = {
  rows,
  users: userCount,
  items: store.size,
  interactions: matrix.indices.length,
  itemTokens: store.tokens.length,
  itemsFromCache: fromCache,
  itemStoreBytes,
  rssAfterItems,
  readSeconds,
  readCpuSeconds,
  indexSeconds,
  indexCpuSeconds,
  loadSeconds: readSeconds + indexSeconds,
  rowsPerSecond: rows / readSeconds,
  rowsPerCpuSecond: rows / readCpuSeconds,
  loadPeakRss,
  readPeakRss,
  rssAfterRead,
  peakBytesPerInteraction: loadPeakRss / rows,
  bytesPerInteractionBeyondItems: (loadPeakRss - itemStoreBytes) / rows,
  userIdBytes: streamed.users.byteLength,
};

if (values.train) {
  const dataset = InteractionDataset.fromParts({
    users: streamed.users,
    itemIds: store.itemIds.toArray(),
    itemTokens: store,
    interactions: matrix,
  });
  wall = performance.now();
  const { dataset: kept } = preprocess(dataset, { minUserInteractions: 3 });
  const split = splitPerUser(kept, { seed: 1 });
  result.splitSeconds = (performance.now() - wall) / 1000;
  result.trainPositives = split.train.indices.length;
  result.splitUsers = split.users.size;

  // BPR triplets with histories (MARS's input), as the fit loop draws them
  const sampler = new BprTripletSampler(split.train, { batchSize: 128, maxHistory: 50, seed: 1 });
  wall = performance.now();
  let triplets = 0;
  while (performance.now() - wall < 3000) triplets += sampler.nextBatch().users.length;
  result.samplerTripletsPerSecond = triplets / ((performance.now() - wall) / 1000);

  // BPR-MF SGD (64 factors): 2M triplets
  wall = performance.now();
  const bprMf = BprMatrixFactorization.fit(split.train, { seed: 1, triplets: 2_000_000 });
  result.bprMfTripletsPerSecond = 2_000_000 / ((performance.now() - wall) / 1000);

  // full-ranking evaluation of 1,000 sampled users
  for (const [name, scorer] of [
    ['popularity', PopularityRecommender.fit(split.train)],
    ['bprMf', bprMf],
  ] as const) {
    wall = performance.now();
    const evaluation = await evaluateSampledUsers({
      itemCount: split.itemIds.length,
      targets: split.test,
      exclude: split.train,
      score: (users) => scorer.scoreUsers(users),
      sampleUsers: 1000,
      seed: 1,
    });
    result[`${name}EvalMsPerUser`] = (performance.now() - wall) / evaluation.usersEvaluated;
    result[`${name}Recall50`] = evaluation.mean['recall@50'];
    result[`${name}Recall50Se`] = evaluation.populationStandardError['recall@50'];
  }
  result.trainPeakRss = peakRss();
}
console.log(JSON.stringify(result));
