import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserSplit } from '../../src/data/split';
import { MarsModel } from '../../src/model/mars-model';
import { attentionUniformity } from '../../src/serving/attention-uniformity';
import type { AttentionUniformity } from '../../src/serving/attention-uniformity';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { marsRec } from '../helpers/mars-rec-cli';
import { writeCorpusFiles } from '../helpers/corpus-files';

describe('mars-rec CLI', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mars-cli-'));
  const items = join(folder, 'items.jsonl');
  const interactions = join(folder, 'interactions.csv');

  beforeAll(() => {
    const corpus = generateSyntheticCorpus({ seed: 3, itemCount: 80, userCount: 60, clicksPerUser: [5, 10] });
    writeCorpusFiles(folder, corpus);
  });

  it('trains, evaluates and recommends with a MARS model, printing JSON with the documented keys', async () => {
    const out = join(folder, 'mars');
    const train = await marsRec([
      'train',
      '--items',
      items,
      '--interactions',
      interactions,
      '--out',
      out,
      '--steps',
      '3',
      '--batch-size',
      '16',
      '--backend',
      'cpu',
      '--max-doc-length',
      '30',
      '--config',
      '{"itemBias":true,"filters":8,"collaborativeFactors":4}',
      '--json',
    ]);
    expect(train.code).toBe(0);
    const saved = readFileSync(join(out, 'model', 'model.json'), 'utf8');
    expect(saved).toMatch(/"itemBias":true/);
    expect(saved).toMatch(/"filters":8/);
    const trained = JSON.parse(train.stdout) as Record<string, unknown>;
    expect(trained).toMatchObject({ steps: 3, backend: 'cpu', model: 'mars' });
    expect(trained.tripletsPerSecond).toBeGreaterThan(0);
    expect(trained.trainSeconds).toBeGreaterThan(0);

    const evaluated = await marsRec(['evaluate', '--model', out, '--backend', 'cpu', '--json']);
    expect(evaluated.code).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as Record<string, number>;
    for (const key of ['recall@10', 'recall@50', 'ndcg@10', 'map@500'])
      expect(metrics[key]).toBeGreaterThanOrEqual(0);
    expect(metrics.users).toBeGreaterThan(0);

    const recommended = await marsRec([
      'recommend',
      '--model',
      out,
      '--history',
      'n01,n02',
      '-k',
      '4',
      '--explain',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(recommended.code).toBe(0);
    const list = JSON.parse(recommended.stdout) as {
      id: string;
      attention: { id: string; weight: number }[];
      uniformity: AttentionUniformity;
    }[];
    expect(list).toHaveLength(4);
    expect(list[0].attention.map((a) => a.id)).toEqual(['n01', 'n02']);
    for (const row of list)
      expect(row.uniformity).toEqual(attentionUniformity(row.attention.map((a) => a.weight)));

    // --user: a user of the split, their training history and (collaborative part) user term
    const split = await UserSplit.load(join(out, 'split.bin'));
    const user = split.users.idAt(0);
    const forUser = await marsRec([
      'recommend',
      '--model',
      out,
      '--user',
      user,
      '-k',
      '3',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(forUser.code).toBe(0);
    expect(JSON.parse(forUser.stdout) as unknown[]).toHaveLength(3);
    const unknownUser = await marsRec(['recommend', '--model', out, '--user', 'nobody', '--backend', 'cpu']);
    expect(unknownUser.code).toBe(1);
    // (the last line: TF.js's own banner about tfjs-node may come first on the cpu backend)
    expect(unknownUser.stderr.trim().split('\n').at(-1)).toBe(
      "mars-rec: unknown user id 'nobody' in --user: not a user of the run's split",
    );
    const neither = await marsRec(['recommend', '--model', out]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/recommend needs --history ID,ID,\.\.\. or --user ID/);
  }, 180_000);

  it('keeps every --config field, and evaluates exactly as MarsModel.evaluate (maxHistory 2)', async () => {
    const train = (
      out: string,
      config: string,
      budget: string[],
    ): Promise<{ code: number; stdout: string }> =>
      marsRec([
        'train',
        '--items',
        items,
        '--interactions',
        interactions,
        '--out',
        out,
        ...budget,
        '--batch-size',
        '16',
        '--backend',
        'cpu',
        '--config',
        config,
        '--json',
      ]);
    // no budget flag: MarsModel.fit's own budget (until validation stops improving, under a pass cap)
    const configured = join(folder, 'configured');
    const trained = await train(configured, '{"maxHistory":7,"filters":8}', []);
    expect(trained.code).toBe(0);
    const report = JSON.parse(trained.stdout) as Record<string, unknown>;
    expect(['early-stopping', 'pass-cap']).toContain(report.stopReason);
    expect(report.passes).toBeGreaterThan(0);
    expect(report.summary).toMatch(/collaborative part: BPR-MF L2 .* chosen on validation.*best step \d+/);
    const manifest = JSON.parse(readFileSync(join(configured, 'model', 'model.json'), 'utf8')) as {
      modelTopology: { metadata: { config: Record<string, unknown> } };
    };
    expect(manifest.modelTopology.metadata.config).toMatchObject({ maxHistory: 7, filters: 8 });

    // the generated interactions have timestamps and users with more than 2 training items, so
    // scoring raw rows instead of the 2 most recent items would change the metrics
    const capped = join(folder, 'capped');
    expect(
      (await train(capped, '{"maxHistory":2,"filters":8,"collaborativeFactors":4}', ['--steps', '3'])).code,
    ).toBe(0);
    const evaluated = await marsRec(['evaluate', '--model', capped, '--backend', 'cpu', '--json']);
    expect(evaluated.code).toBe(0);
    const fromCli = JSON.parse(evaluated.stdout) as Record<string, number>;
    await tf.setBackend('cpu');
    const model = await MarsModel.load(join(capped, 'model'));
    const split = await UserSplit.load(join(capped, 'split.bin'));
    const fromLibrary = await model.evaluate(split.test, split.train);
    model.dispose();
    expect(fromLibrary.metrics.length).toBe(7);
    for (const metric of fromLibrary.metrics) expect(fromCli[metric]).toBe(fromLibrary.mean[metric]);
    expect(fromCli.users).toBe(fromLibrary.usersEvaluated);
  }, 180_000);

  it('trains and evaluates the popularity baseline on the same split machinery', async () => {
    const out = join(folder, 'popularity');
    expect(
      (
        await marsRec([
          'train',
          '--items',
          items,
          '--interactions',
          interactions,
          '--out',
          out,
          '--model',
          'popularity',
        ])
      ).code,
    ).toBe(0);
    const evaluated = await marsRec(['evaluate', '--model', out, '--split', 'validation', '--json']);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ model: 'popularity', split: 'validation' });
  }, 60_000);

  it('trains from Parquet and Arrow IPC items and interactions as from JSON lines and CSV', async () => {
    const { convertToParquet } = await import('../../src/data/parquet-source');
    const { tableFromArrays, tableToIPC } = await import('apache-arrow');
    const lines = (path: string): string[][] =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(','));
    const records = lines(interactions).slice(1);
    const itemRecords = readFileSync(items, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; text: string });
    const files = {
      parquet: [join(folder, 'items.parquet'), join(folder, 'interactions.parquet')],
      arrow: [join(folder, 'items.arrow'), join(folder, 'interactions.feather')],
    };
    await convertToParquet(items, files.parquet[0]);
    await convertToParquet(interactions, files.parquet[1]);
    writeFileSync(
      files.arrow[0],
      tableToIPC(
        tableFromArrays({ id: itemRecords.map((r) => r.id), text: itemRecords.map((r) => r.text) }),
        'file',
      ),
    );
    writeFileSync(
      files.arrow[1],
      tableToIPC(
        tableFromArrays({
          user: records.map((r) => r[0]),
          item: records.map((r) => r[1]),
          rating: Float64Array.from(records, (r) => Number(r[2])),
          timestamp: Float64Array.from(records, (r) => Number(r[3])),
        }),
        'file',
      ),
    );
    const evaluations: unknown[] = [];
    for (const [itemFile, interactionFile] of [[items, interactions], files.parquet, files.arrow]) {
      const out = join(folder, `popularity-${itemFile.split('.').pop()}`);
      const trained = await marsRec([
        'train',
        '--items',
        itemFile,
        '--interactions',
        interactionFile,
        '--out',
        out,
        '--model',
        'popularity',
      ]);
      expect(trained.stderr).not.toMatch(/mars-rec:/);
      expect(trained.code).toBe(0);
      const {
        msPerUser: _time,
        evaluateSeconds: _seconds,
        ...metrics
      } = JSON.parse((await marsRec(['evaluate', '--model', out, '--json'])).stdout) as Record<
        string,
        unknown
      >;
      evaluations.push(metrics);
    }
    expect(evaluations[1]).toEqual(evaluations[0]);
    expect(evaluations[2]).toEqual(evaluations[0]);
  }, 90_000);

  it('trains the tuned BPR-MF by default: L2 and epochs chosen on the validation split', async () => {
    const out = join(folder, 'bpr-mf');
    const trained = await marsRec([
      'train',
      '--items',
      items,
      '--interactions',
      interactions,
      '--out',
      out,
      '--model',
      'bpr-mf',
      '--json',
    ]);
    expect(trained.code).toBe(0);
    const report = JSON.parse(trained.stdout) as Record<string, number>;
    expect([0.01, 0.03, 0.1]).toContain(report.l2); // BPR_MF_L2_GRID
    expect(report.epochs).toBeGreaterThan(0);
    expect(report.summary).toMatch(
      /^BPR-MF L2 [\d.]+, \d+ epochs chosen on validation \(recall@50 [\d.]+\)$/,
    );
    // fewer than 1,000 validation users: the tuning validated on all of them, as evaluate does
    const evaluated = await marsRec(['evaluate', '--model', out, '--split', 'validation', '--json']);
    expect(evaluated.code).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as Record<string, number>;
    expect(metrics).toMatchObject({ model: 'bpr-mf', split: 'validation' });
    expect(metrics['recall@50']).toBe(report['recall@50']);
  }, 120_000);

  it('fails with one clear line and a non-zero exit code on bad input', async () => {
    const missing = await marsRec([
      'train',
      '--items',
      join(folder, 'nope.jsonl'),
      '--interactions',
      interactions,
      '--out',
      join(folder, 'x'),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toMatch(/^mars-rec: file not found: .*nope\.jsonl$/);

    const usage = await marsRec(['train', '--items', items]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--interactions is required/);

    const badConfig = await marsRec(
      ['train', '--items', items, '--interactions', interactions, '--out', join(folder, 'y')].concat([
        '--config',
        '{"itemBias":"yes"}',
      ]),
    );
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr.trim()).toBe(
      'mars-rec: --config: MarsConfig.itemBias must be a boolean, got yes',
    );
    const notJson = await marsRec(
      ['train', '--items', items, '--interactions', interactions, '--out', join(folder, 'y')].concat([
        '--config',
        '{itemBias}',
      ]),
    );
    expect(notJson.stderr).toMatch(/^mars-rec: --config must be a JSON object of MarsConfig fields/);

    const unknownFlag = await marsRec(['evaluate', '--modle', 'x']);
    expect(unknownFlag.code).toBe(2);

    const notARun = await marsRec(['evaluate', '--model', folder]);
    expect(notARun.stderr).toMatch(/is not a directory written by 'mars-rec train'/);

    const popularity = join(folder, 'popularity-2');
    await marsRec([
      'train',
      '--items',
      items,
      '--interactions',
      interactions,
      '--out',
      popularity,
      '--model',
      'popularity',
    ]);
    const unknownItem = await marsRec(['recommend', '--model', popularity, '--history', 'n01,zzz']);
    expect(unknownItem.code).toBe(1);
    expect(unknownItem.stderr.trim()).toBe("mars-rec: unknown item id 'zzz' in --history (position 2)");

    writeFileSync(
      join(popularity, 'run.json'),
      JSON.stringify({ format: 'mars-rec/run', version: 99, model: 'popularity' }),
    );
    const newer = await marsRec(['evaluate', '--model', popularity]);
    expect(newer.stderr).toMatch(/written by a newer mars-rec \(run format 99/);

    const badCsv = join(folder, 'bad.csv');
    writeFileSync(badCsv, 'user,item,rating\nu1,n01,five\n');
    const malformed = await marsRec([
      'train',
      '--items',
      items,
      '--interactions',
      badCsv,
      '--out',
      join(folder, 'y'),
      '--model',
      'popularity',
    ]);
    expect(malformed.stderr.trim()).toMatch(/bad\.csv:2: rating 'five' is not a number$/);
  }, 120_000);
});
