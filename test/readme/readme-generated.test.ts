import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { checkCommandLine, checkQuickStart } from './readme-checks';
import {
  noise,
  README_TEST_STEPS,
  readerFolder,
  readmeBlock,
  runScript,
  withTestSteps,
} from './readme-runner';

// The README on a generated corpus written as items.jsonl (with titles) and interactions.csv,
// with MovieLens-style numeric ids (item n0001 is '1', user u0042 is '42'), so the README's ids
// exist here too. Runs without ../shared.
describe('README.md on a generated corpus', () => {
  const folder = readerFolder('mars-readme-generated-');
  const corpus = generateSyntheticCorpus({ seed: 5, itemCount: 150, userCount: 80, clicksPerUser: [6, 12] });
  const numeric = (id: string): string => String(Number(id.slice(1)));
  writeFileSync(
    join(folder, 'items.jsonl'),
    corpus.items
      .map((item) =>
        JSON.stringify({
          id: numeric(item.id),
          title: `${item.topic} story ${numeric(item.id)}`,
          text: item.text,
        }),
      )
      .join('\n'),
  );
  writeFileSync(
    join(folder, 'interactions.csv'),
    [
      'user,item,rating,timestamp',
      ...corpus.interactions.map((c) => `${numeric(c.user)},${numeric(c.item)},${c.rating},${c.timestamp}`),
    ].join('\n'),
  );
  const itemIds = new Set(corpus.items.map((item) => numeric(item.id)));

  it(
    'the library quick start runs as written and its ids exist',
    () => checkQuickStart(folder, itemIds),
    240_000,
  );

  it('every command line runs as written', () => checkCommandLine(folder, { titles: true }), 300_000);

  it("docs/guide.md's quick start runs as written", async () => {
    const block = withTestSteps(
      readmeBlock('## Quick start', 'ts', 'docs/guide.md'),
      /\bsteps: 2000\b/,
      `steps: ${README_TEST_STEPS}`,
    );
    const ran = await runScript(folder, 'guide-quick-start.ts', block);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(noise);
    expect(ran.stdout).toMatch(/^metric +mean +± s\.e\. +users$/m);
    expect(ran.stdout).toMatch(/^total: [\d,]+ parameters, [\d,]+ trained by fit$/m); // formatModelSummary
  }, 240_000);
});
