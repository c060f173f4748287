import type { MarsBlocks } from '../layers/mars-blocks';

/** One weight of a MARS network. */
export interface WeightSummary {
  /** The block it belongs to: `f_user`, `f_item`, `f_user = f_item`, `item bias`, `item ID embedding`, `collaborative`. */
  block: string;
  /** The weight's name in its block, e.g. `embedding`, `conv0_kernel`, `user_factors`. */
  weight: string;
  /** Its shape. */
  shape: number[];
  /** Number of values (parameters). */
  parameters: number;
  /** Whether `fit` trains it (false: fixed pretrained embeddings, the collaborative part, masks). */
  trainable: boolean;
}

/** What a MARS network holds: every weight, and the totals. */
export interface ModelSummary {
  /** Every weight, block by block. */
  weights: WeightSummary[];
  /** Parameters per block, in the order of `weights`. */
  blocks: { block: string; parameters: number; trainable: number }[];
  /** All parameters. */
  parameters: number;
  /** Parameters `fit` trains. */
  trainableParameters: number;
}

/**
 * The weights of a MARS network, block by block: the two text CNNs (word embedding, convolution,
 * dense layer), the optional item bias and item-ID embedding, and the fixed collaborative part.
 * `MarsModel.summary()` calls it for a trained or loaded model.
 */
export function summarizeMarsBlocks(blocks: MarsBlocks): ModelSummary {
  const weights: WeightSummary[] = [];
  const layerWeights = (
    block: string,
    layer: { weights: { originalName: string; shape: (number | null)[]; trainable: boolean }[] } | undefined,
  ): void => {
    for (const weight of layer?.weights ?? []) {
      const shape = weight.shape.map((size) => size ?? 0);
      weights.push({
        block,
        weight: weight.originalName,
        shape,
        parameters: shape.reduce((product, size) => product * size, 1),
        trainable: weight.trainable,
      });
    }
  };
  const shared = blocks.userEncoder === blocks.itemEncoder;
  layerWeights(shared ? 'f_user = f_item' : 'f_user', blocks.userEncoder);
  if (!shared) layerWeights('f_item', blocks.itemEncoder);
  layerWeights('item bias', blocks.itemBias);
  layerWeights('item ID embedding', blocks.itemIdEmbedding);
  const collaborative = blocks.collaborative;
  if (collaborative) {
    const { userCount, itemCount, factors } = collaborative;
    for (const [weight, shape] of [
      ['user_factors', [userCount, factors]],
      ['item_factors', [itemCount, factors]],
      ['item_biases', [itemCount]],
    ] as const)
      weights.push({
        block: 'collaborative',
        weight,
        shape: [...shape],
        parameters: shape.reduce((product: number, size: number) => product * size, 1),
        trainable: false,
      });
  }
  const byBlock = new Map<string, { block: string; parameters: number; trainable: number }>();
  for (const weight of weights) {
    const entry = byBlock.get(weight.block) ?? { block: weight.block, parameters: 0, trainable: 0 };
    entry.parameters += weight.parameters;
    if (weight.trainable) entry.trainable += weight.parameters;
    byBlock.set(weight.block, entry);
  }
  const summary = [...byBlock.values()];
  return {
    weights,
    blocks: summary,
    parameters: summary.reduce((sum, block) => sum + block.parameters, 0),
    trainableParameters: summary.reduce((sum, block) => sum + block.trainable, 0),
  };
}

/**
 * A printable table of a {@link ModelSummary}: one line per weight (block, weight, shape,
 * parameters, trainable), then the totals.
 */
export function formatModelSummary(summary: ModelSummary): string {
  const count = (value: number): string => value.toLocaleString('en-US');
  const header = ['block', 'weight', 'shape', 'parameters', 'trained'];
  const rows = summary.weights.map((weight) => [
    weight.block,
    weight.weight,
    `[${weight.shape.join(', ')}]`,
    count(weight.parameters),
    weight.trainable ? 'yes' : 'fixed',
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 3 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    `total: ${count(summary.parameters)} parameters, ${count(summary.trainableParameters)} trained by fit`,
  ].join('\n');
}
