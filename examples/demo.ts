// `npm run demo`: train MARS on a generated news corpus, compare it with popularity, and show
// recommendations with their attention explanations. Runs in about 45 s on 2 cores. MARS here is
// the default configuration: a fixed collaborative (BPR-MF) part with the text CNNs and the attention
// trained on top; on this corpus the text lifts validation recall@50 from 0.41 (the collaborative part
// alone, step 0) to 0.44.
import { selectBackend } from '../src/backend';
import type { CsrMatrix } from '../src/data/csr';
import { BprMatrixFactorization, PopularityRecommender } from '../src/baselines';
import { evaluateRanking } from '../src/metrics';
import { MarsModel } from '../src/model';
import { SeededRandom } from '../src/sampling';
import { generateSyntheticCorpus } from '../src/synthetic';

const metrics = ['recall@10', 'recall@50', 'ndcg@10', 'map@500'];

async function main(): Promise<void> {
  // wasm, or plain JavaScript where WebAssembly is missing; selectBackend keeps TF.js's banner quiet
  const backend = (await selectBackend('wasm').catch(() => selectBackend('cpu'))).name;

  // 1. A licence-free corpus: 8 topics, users who follow one or two of them.
  const corpus = generateSyntheticCorpus({ seed: 1, itemCount: 800, userCount: 600 });
  const itemIds = corpus.items.map((item) => item.id);
  const topicOf = new Map(corpus.items.map((item) => [item.id, item.topic]));
  console.log(
    `corpus: ${corpus.items.length} articles, ${corpus.userTopics.size} users, ${corpus.interactions.length} clicks (backend: ${backend})`,
  );

  // 2. Per-user split as in the report: 30% train, the rest halved into validation and test.
  const { train, validation, test, userIds } = splitClicks(corpus.interactions, itemIds, 0.3, 1);

  // 3. Train MARS with BPR, validating recall@50 as it goes.
  const model = MarsModel.create({ embeddingDim: 32, filters: 64, outputDim: 32, maxDocumentLength: 80 });
  const started = performance.now();
  const fit = await model.fit(
    { itemIds, itemTexts: corpus.items.map((item) => item.text), train, validation },
    {
      steps: 600,
      batchSize: 128,
      learningRate: 0.005,
      validateEvery: 100,
      onValidation: ({ step, metrics: values }) =>
        console.log(`  step ${step}: validation recall@50 ${values['recall@50'].toFixed(3)}`),
    },
  );
  console.log(
    `trained ${fit.steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s ` +
      `(${fit.tripletsPerSecond.toFixed(0)} triplets/s, loss ${fit.losses[0].toFixed(3)} -> ${fit.losses.at(-1)?.toFixed(3)})`,
  );

  // 4. Evaluate on the test split against popularity and BPR-MF, with the same harness.
  const mars = await model.evaluate(test, train, { metrics });
  const popularity = PopularityRecommender.fit(train);
  const bprMf = BprMatrixFactorization.fit(train, { seed: 1 });
  const harness = (score: (users: Int32Array) => Float32Array) =>
    evaluateRanking({ itemCount: itemIds.length, targets: test, exclude: train, score, metrics });
  const rows = [
    ['MARS', mars.mean],
    ['popularity', (await harness((users) => popularity.scoreUsers(users))).mean],
    ['BPR-MF', (await harness((users) => bprMf.scoreUsers(users))).mean],
  ] as const;
  console.log(`\ntest split, ${mars.usersEvaluated} users`);
  console.log(`| model | ${metrics.join(' | ')} |`);
  console.log(`|---|${metrics.map(() => '---').join('|')}|`);
  for (const [name, values] of rows)
    console.log(`| ${name} | ${metrics.map((m) => values[m].toFixed(4)).join(' | ')} |`);

  // 5. Recommend for one user and explain the top item with the attention weights.
  // a user who follows two topics, so the attention has something to choose between
  const user = Math.max(
    0,
    userIds.findIndex(
      (id, row) =>
        (corpus.userTopics.get(id)?.length ?? 0) > 1 && train.offsets[row + 1] - train.offsets[row] >= 4,
    ),
  );
  const history = Array.from(
    train.indices.subarray(train.offsets[user], train.offsets[user + 1]),
    (i) => itemIds[i],
  );
  console.log(
    `\nuser ${userIds[user]} follows ${corpus.userTopics.get(userIds[user])?.join(' + ')}; history:`,
  );
  for (const id of history) console.log(`  ${id} (${topicOf.get(id)})`);
  const recommendations = await model.recommend(history, { k: 5 });
  console.log('recommendations:');
  for (const { id, score } of recommendations)
    console.log(`  ${id} (${topicOf.get(id)}) score ${score.toFixed(3)}`);
  const explanation = await model.explain(history, recommendations[0].id);
  console.log(`why ${explanation.item} (${topicOf.get(explanation.item)}): attention over the history`);
  for (const { id, weight } of explanation.history) {
    console.log(`  ${id} (${topicOf.get(id)}) ${'#'.repeat(Math.round(weight * 40))} ${weight.toFixed(2)}`);
  }
  model.dispose();
}

/** Per-user random split: n_train = max(1, floor(f n)), validation floor(rest / 2), test the rest. */
function splitClicks(
  clicks: readonly { user: string; item: string }[],
  itemIds: readonly string[],
  trainFraction: number,
  seed: number,
): { train: CsrMatrix; validation: CsrMatrix; test: CsrMatrix; userIds: string[] } {
  const itemIndex = new Map(itemIds.map((id, index) => [id, index]));
  const byUser = new Map<string, number[]>();
  for (const { user, item } of clicks)
    byUser.set(user, [...(byUser.get(user) ?? []), itemIndex.get(item) as number]);
  const rng = new SeededRandom(seed);
  const parts: number[][][] = [[], [], []];
  const userIds = [...byUser.keys()].filter((user) => (byUser.get(user)?.length ?? 0) >= 3);
  for (const user of userIds) {
    const items = rng.shuffle((byUser.get(user) as number[]).slice());
    const trainCount = Math.max(1, Math.floor(trainFraction * items.length));
    const validationCount = Math.floor((items.length - trainCount) / 2);
    parts[0].push(items.slice(0, trainCount));
    parts[1].push(items.slice(trainCount, trainCount + validationCount));
    parts[2].push(items.slice(trainCount + validationCount));
  }
  const toCsr = (rows: number[][]): CsrMatrix => {
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((row, u) => (offsets[u + 1] = offsets[u] + row.length));
    const indices = Int32Array.from(rows.flatMap((row) => row.sort((a, b) => a - b)));
    return { rowCount: rows.length, columnCount: itemIds.length, offsets, indices };
  };
  return { train: toCsr(parts[0]), validation: toCsr(parts[1]), test: toCsr(parts[2]), userIds };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
