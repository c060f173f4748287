import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as composeByHand } from '../../examples/compose-by-hand';
import { main as movies, MOVIES_METRICS } from '../../examples/movies';
import { main as quickStart } from '../../examples/quick-start';
import type { QuickStartResult } from '../../examples/quick-start';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { sharedDatasetPath } from '../helpers/shared-data';
import { writeCorpusFiles } from '../helpers/corpus-files';

// The examples print as they go; keep the test output to vitest's own.
const log = vi.spyOn(console, 'log');
beforeAll(() => {
  log.mockImplementation(() => undefined);
});
afterAll(() => {
  log.mockRestore();
});

function expectMetricsInUnitRange(means: Record<string, number>, names: readonly string[]): void {
  for (const name of names) {
    expect(Number.isFinite(means[name]), name).toBe(true);
    expect(means[name], name).toBeGreaterThanOrEqual(0);
    expect(means[name], name).toBeLessThanOrEqual(1);
  }
}

function checkQuickStart(result: QuickStartResult, itemIds: ReadonlySet<string>): void {
  expectMetricsInUnitRange(result.evaluation.mean, ['recall@10', 'recall@50', 'ndcg@10', 'map@500']);
  expect(result.evaluation.usersEvaluated).toBeGreaterThan(0);
  expect(result.recommendations).toHaveLength(5);
  const history = new Set(result.history);
  for (const { id, score } of result.recommendations) {
    expect(itemIds.has(id)).toBe(true);
    expect(history.has(id)).toBe(false);
    expect(Number.isFinite(score)).toBe(true);
  }
  expect(new Set(result.recommendations.map((r) => r.id)).size).toBe(5);
  expect(result.explanation.item).toBe(result.recommendations[0].id);
  expect(result.explanation.history.map((h) => h.id)).toEqual(result.history);
  const total = result.explanation.history.reduce((sum, h) => sum + h.weight, 0);
  expect(total).toBeCloseTo(1, 5);
  // the loaded model scores every item exactly as the trained one
  expect(result.scores.loaded.length).toBeGreaterThan(0);
  expect(result.scores.loaded.length).toBeLessThanOrEqual(itemIds.size); // items without positives are dropped
  expect(Array.from(result.scores.loaded)).toEqual(Array.from(result.scores.saved));
}

describe('examples/quick-start.ts', () => {
  it('trains on items.jsonl + interactions.csv given as arguments, recommends, explains, and reloads identically', async () => {
    const corpus = generateSyntheticCorpus({
      seed: 2,
      itemCount: 120,
      userCount: 60,
      clicksPerUser: [6, 12],
    });
    const folder = mkdtempSync(join(tmpdir(), 'mars-example-'));
    const itemsPath = join(folder, 'items.jsonl');
    const interactionsPath = join(folder, 'interactions.csv');
    writeCorpusFiles(folder, corpus);
    const result = await quickStart([itemsPath, interactionsPath, '--steps', '3', '--backend', 'wasm']);
    checkQuickStart(result, new Set(corpus.items.map((item) => item.id)));
  });

  it('falls back to a generated corpus without arguments', async () => {
    const result = await quickStart(['--steps', '2', '--backend', 'wasm']);
    const itemIds = new Set(
      generateSyntheticCorpus({ seed: 1, itemCount: 400, userCount: 300 }).items.map((i) => i.id),
    );
    checkQuickStart(result, itemIds);
  });

  it('says how to call it when given one file', async () => {
    await expect(quickStart(['items.jsonl'])).rejects.toThrow(
      /usage: quick-start\.ts \[items\.jsonl interactions\.csv\]/,
    );
  });
});

describe('examples/compose-by-hand.ts', () => {
  it('trains the hand-composed blocks, evaluates both models on one split, and frees every tensor', async () => {
    const result = await composeByHand(['--steps', '4', '--backend', 'wasm']);
    expect(result.losses).toHaveLength(4);
    for (const loss of result.losses) expect(Number.isFinite(loss)).toBe(true);
    // BPR starts near ln 2: the encoders start with small random weights
    expect(result.losses[0]).toBeGreaterThan(0.6);
    expect(result.losses[0]).toBeLessThan(0.8);
    const names = ['recall@10', 'recall@50', 'ndcg@10', 'map@500'];
    expectMetricsInUnitRange(result.evaluation.mean, names);
    expectMetricsInUnitRange(result.popularity.mean, names);
    expect(Array.from(result.evaluation.users)).toEqual(Array.from(result.popularity.users));
    expect(result.leakedTensors).toBe(0);
  });
});

describe('examples/movies.ts', () => {
  it('names the missing file and what the folder must hold', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mars-example-'));
    await expect(movies([empty])).rejects.toThrow(
      /items\.jsonl not found: pass a folder holding items\.jsonl and interactions\.csv/,
    );
  });

  it('refuses an unknown flag with the usage line', async () => {
    await expect(movies(['--stpes', '3'])).rejects.toThrow(
      /Unknown option '--stpes'[\s\S]*usage: movies\.ts/,
    );
  });

  const folder = sharedDatasetPath('movies_tmdb_small');
  it.skipIf(!folder)(
    'compares popularity, BPR-MF and MARS on the same users (skipped: ../shared/data/movies_tmdb_small absent)',
    async () => {
      const result = await movies([
        folder as string,
        ...['--steps', '2', '--batch-size', '16', '--bpr-epochs', '2', '--test-users', '40'],
        ...['--embedding-dim', '8', '--filters', '8', '--output-dim', '8', '--max-history', '10'],
        ...['--backend', 'wasm'],
      ]);
      expect(result.rows.map((row) => row.model)).toEqual(['popularity', 'BPR-MF', 'MARS']);
      expect(result.usersEvaluated).toBe(40);
      // the README's counts: ratings >= 4 on users with >= 3 positives
      expect(result.report.after.interactions).toBeGreaterThan(50_000);
      for (const row of result.rows) {
        expectMetricsInUnitRange(row.metrics, MOVIES_METRICS);
        expect(row.trainSeconds).toBeGreaterThanOrEqual(0);
      }
      expect(Number.isNaN(result.rows[0].tripletsPerSecond)).toBe(true);
      expect(result.rows[1].tripletsPerSecond).toBeGreaterThan(0);
      expect(result.rows[2].tripletsPerSecond).toBeGreaterThan(0);
      const table = log.mock.calls.map((call) => String(call[0]));
      expect(table).toContain(`| model | train (s) | triplets/s | ${MOVIES_METRICS.join(' | ')} |`);
    },
  );
});
