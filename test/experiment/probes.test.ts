// Smoke test of `npm run probes` on a generated corpus written to a temporary folder: every probe
// runs and reports metrics in range, and the content-only probe finds the planted topics.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProbes } from '../../bench/probes';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { writeCorpusFiles } from '../helpers/corpus-files';

describe('probes', () => {
  it('runs every probe on a dataset folder; text carries the planted topics', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mars-probes-'));
    const corpus = generateSyntheticCorpus({
      seed: 2,
      itemCount: 150,
      userCount: 120,
      clicksPerUser: [6, 12],
    });
    writeCorpusFiles(folder, corpus);
    const lines: string[] = [];
    const results = await runProbes(folder, 1, (line) => lines.push(line));
    expect(Object.keys(results)).toHaveLength(9);
    for (const metrics of Object.values(results)) {
      expect(metrics['recall@50']).toBeGreaterThanOrEqual(0);
      expect(metrics['recall@50']).toBeLessThanOrEqual(1);
    }
    // on this corpus the words carry the topics: the content profile beats popularity
    const content = results['TF-IDF profile of the history (content only)']['recall@50'];
    expect(content).toBeGreaterThan(results['popularity']['recall@50']);
    expect(lines[0]).toMatch(/^popularity: recall@50 0\.\d{4}, map@500 0\.\d{4}$/);
  }, 60_000);
});
