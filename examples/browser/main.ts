// Trains a tiny MARS model in the page and renders recommendations. It imports the published
// package as an app would ('mars-rec' resolves to this repository's build, dist/browser, through
// the "browser" export condition). The wasm backend's binaries are imported as assets: Vite
// serves them in development and copies them into the build, and `wasmPaths` says where they
// are. `?backend=cpu` uses plain JavaScript instead.
import {
  InteractionDataset,
  MarsModel,
  generateSyntheticCorpus,
  selectBackend,
  splitPerUser,
} from 'mars-rec';
import type { BackendPreference } from 'mars-rec';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { exampleCorpusOptions, recommendationCount } from './corpus';

function element(testId: string): HTMLElement {
  return document.querySelector(`[data-testid="${testId}"]`) as HTMLElement;
}

function listItem(id: string, text: string, extra?: string): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.itemId = id;
  item.textContent = `${id}: ${text.split(' ').slice(0, 10).join(' ')}…`;
  if (extra) {
    const note = document.createElement('span');
    note.className = 'score';
    note.textContent = ` ${extra}`;
    item.append(note);
  }
  return item;
}

async function main(): Promise<void> {
  const status = element('status');
  const preference = (new URLSearchParams(location.search).get('backend') ?? 'auto') as BackendPreference;
  const selection = await selectBackend(preference, {
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasm,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    },
  });
  element('backend').textContent = selection.name;
  element('backend-reason').textContent = `(${selection.reason})`;

  const corpus = generateSyntheticCorpus(exampleCorpusOptions);
  const dataset = InteractionDataset.build(corpus.items, corpus.interactions);
  const split = splitPerUser(dataset, { trainFraction: 0.5, seed: 1 });
  const model = MarsModel.create({ embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40 });
  const steps = 30;
  const fit = await model.fit(
    { itemIds: split.itemIds, itemTexts: dataset.itemTexts, train: split.train },
    {
      steps,
      batchSize: 32,
      learningRate: 0.01,
      seed: 2,
      onBatchEnd: ({ step, loss }) => {
        status.textContent = `Training: step ${step} of ${steps}, loss ${loss.toFixed(4)}`;
      },
    },
  );

  const user = 0;
  const { offsets, indices } = split.train;
  const history = Array.from(
    indices.subarray(offsets[user], offsets[user + 1]),
    (item) => split.itemIds[item],
  );
  const textOf = new Map(corpus.items.map((item) => [item.id, `[${item.topic}] ${item.text}`]));
  element('history').replaceChildren(...history.map((id) => listItem(id, textOf.get(id) ?? '')));

  const recommendations = await model.recommend(history, { k: recommendationCount });
  element('recommendations').replaceChildren(
    ...recommendations.map((recommendation) => {
      const item = listItem(
        recommendation.id,
        textOf.get(recommendation.id) ?? '',
        `score ${recommendation.score.toFixed(3)}`,
      );
      item.dataset.testid = 'recommendation';
      item.dataset.score = String(recommendation.score);
      return item;
    }),
  );
  model.dispose();
  status.textContent =
    `Done: ${fit.steps} training steps in ${fit.trainSeconds.toFixed(1)} s ` +
    `(final loss ${fit.losses[fit.losses.length - 1].toFixed(4)}).`;
  document.body.dataset.state = 'done';
}

main().catch((error: unknown) => {
  element('status').textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.state = 'error';
  console.error(error);
});
