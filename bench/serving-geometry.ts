// Catalogues of any size whose geometry is a trained model's: every generated item lies between
// a real item and one of its 10 nearest neighbours (all of its columns interpolated together:
// text vector, memory vector, collaborative factors, bias), plus a little noise; users are real
// users (their learned collaborative vector) whose histories are drawn from the descendants of
// their real items. Not isotropic noise, which would make the pruning look good or bad by
// accident. Used by bench/suites/serving.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { ScoringColumns } from '../src/serving';
import { SeededRandom } from '../src/sampling/index';

/** What a trained model gives the generator. */
export interface SourceGeometry {
  /** Size d of the text vectors. */
  textDim: number;
  /** Size F of the collaborative factors. */
  collaborativeDim: number;
  /** The real catalogue's columns. */
  columns: ScoringColumns;
  /** Real users: their history (rows of the real catalogue) and collaborative vector. */
  users: { history: Int32Array; userVector: Float32Array }[];
}

/** A generated catalogue: its columns and, for every item, the real item it descends from. */
export interface GeneratedCatalogue {
  columns: ScoringColumns;
  sources: Int32Array;
}

/** A generated user: history rows of a generated catalogue and a collaborative vector. */
export interface GeneratedUser {
  history: Int32Array;
  userVector: Float32Array;
}

const neighbours = 10;

/** The 10 nearest real items of every real item, on standardised [v, q, b] (tf matMul, chunked). */
function nearestNeighbours(source: SourceGeometry): Int32Array {
  const { textDim: d, collaborativeDim: f, columns } = source;
  const n = columns.biases.length;
  const width = d + f + 1;
  const meanNorm = (values: Float32Array, w: number): number => {
    if (w === 0) return 1;
    let total = 0;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < w; i++) sum += values[j * w + i] ** 2;
      total += Math.sqrt(sum);
    }
    return total / n || 1;
  };
  let biasMean = 0;
  for (const b of columns.biases) biasMean += b / n;
  let biasVariance = 0;
  for (const b of columns.biases) biasVariance += (b - biasMean) ** 2 / n;
  const scales = [
    meanNorm(columns.itemVectors, d),
    meanNorm(columns.itemFactors, f),
    Math.sqrt(biasVariance) || 1,
  ];
  const standardised = new Float32Array(n * width);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < d; i++) standardised[j * width + i] = columns.itemVectors[j * d + i] / scales[0];
    for (let i = 0; i < f; i++) standardised[j * width + d + i] = columns.itemFactors[j * f + i] / scales[1];
    standardised[j * width + d + f] = columns.biases[j] / scales[2];
  }
  const result = new Int32Array(n * neighbours);
  const all = tf.tensor2d(standardised, [n, width]);
  const squared = tf.tidy(() => tf.sum(tf.square(all), 1));
  const norms = squared.dataSync();
  const chunk = 512;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const products = tf.tidy(() => tf.matMul(tf.slice(all, [start, 0], [size, width]), all, false, true));
    const values = products.dataSync();
    products.dispose();
    for (let r = 0; r < size; r++) {
      const j = start + r;
      // the 10 smallest distances by insertion into a short sorted list
      const bestDistance = new Float64Array(neighbours).fill(Infinity);
      const best = new Int32Array(neighbours);
      for (let k = 0; k < n; k++) {
        if (k === j) continue;
        const distance = norms[j] + norms[k] - 2 * values[r * n + k];
        if (distance >= bestDistance[neighbours - 1]) continue;
        let m = neighbours - 1;
        while (m > 0 && bestDistance[m - 1] > distance) {
          bestDistance[m] = bestDistance[m - 1];
          best[m] = best[m - 1];
          m--;
        }
        bestDistance[m] = distance;
        best[m] = k;
      }
      result.set(best, j * neighbours);
    }
  }
  tf.dispose([all, squared]);
  return result;
}

/** A standard normal draw (Box-Muller). */
function gaussian(rng: SeededRandom): number {
  const u = Math.max(rng.nextFloat(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** `itemCount` items resampled from the source catalogue (the first source-size items are the real ones). */
export function resampleCatalogue(
  source: SourceGeometry,
  itemCount: number,
  seed: number,
): GeneratedCatalogue {
  const { textDim: d, collaborativeDim: f, columns } = source;
  const n = columns.biases.length;
  const nearest = nearestNeighbours(source);
  const rng = new SeededRandom(seed);
  const out: ScoringColumns = {
    itemVectors: new Float32Array(itemCount * d),
    memoryVectors: new Float32Array(itemCount * d),
    itemFactors: new Float32Array(itemCount * f),
    biases: new Float32Array(itemCount),
  };
  const sources = new Int32Array(itemCount);
  const blocks = [
    ['itemVectors', d],
    ['memoryVectors', d],
    ['itemFactors', f],
    ['biases', 1],
  ] as const;
  for (let j = 0; j < itemCount; j++) {
    const origin = j < n ? j : rng.nextInt(n);
    const neighbour = nearest[origin * neighbours + rng.nextInt(neighbours)];
    const lambda = j < n ? 0 : rng.nextFloat();
    sources[j] = origin;
    // noise: 5% of the mean gap to the neighbour, per coordinate, on every block
    let gap = 0;
    let count = 0;
    for (const [name, w] of blocks)
      for (let i = 0; i < w; i++) {
        gap += Math.abs(columns[name][neighbour * w + i] - columns[name][origin * w + i]);
        count++;
      }
    const noise = j < n ? 0 : (0.05 * gap) / count;
    for (const [name, w] of blocks)
      for (let i = 0; i < w; i++) {
        const a = columns[name][origin * w + i];
        const b = columns[name][neighbour * w + i];
        out[name][j * w + i] = a + lambda * (b - a) + noise * gaussian(rng);
      }
  }
  return { columns: out, sources };
}

/**
 * `count` users of `historyLength` items each: a real user's collaborative vector, and history
 * items that descend from that user's real items (their real items first when present).
 */
export function resampleUsers(
  source: SourceGeometry,
  catalogue: GeneratedCatalogue,
  count: number,
  historyLength: number,
  seed: number,
): GeneratedUser[] {
  const rng = new SeededRandom(seed);
  const descendants = new Map<number, number[]>();
  catalogue.sources.forEach((origin, row) => {
    const list = descendants.get(origin);
    if (list) list.push(row);
    else descendants.set(origin, [row]);
  });
  const eligible = source.users.filter((user) => user.history.length >= 5);
  return Array.from({ length: count }, () => {
    const user = eligible[rng.nextInt(eligible.length)];
    const history = new Set<number>(Array.from(user.history).slice(-historyLength));
    for (let tries = 0; history.size < historyLength && tries < 50 * historyLength; tries++) {
      const origin = user.history[rng.nextInt(user.history.length)];
      const rows = descendants.get(origin) ?? [origin];
      history.add(rows[rng.nextInt(rows.length)]);
    }
    return { history: Int32Array.from(history), userVector: user.userVector };
  });
}
