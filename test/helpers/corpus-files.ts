// Writes a generated corpus as the CLI reads it, through the library's own line formatters.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { interactionsCsvLines, itemsJsonlLines } from '../../src/data/format-lines';
import type { SyntheticCorpus } from '../../src/synthetic';

/** The paths of a corpus written by {@link writeCorpusFiles}. */
export interface CorpusFiles {
  /** `items.jsonl`: one `{"id","text"}` object a line. */
  items: string;
  /** `interactions.csv`: `user,item,rating,timestamp`. */
  interactions: string;
}

/** Writes `corpus` as `folder/items.jsonl` and `folder/interactions.csv`. */
export function writeCorpusFiles(folder: string, corpus: SyntheticCorpus): CorpusFiles {
  const items = join(folder, 'items.jsonl');
  const interactions = join(folder, 'interactions.csv');
  writeFileSync(items, [...itemsJsonlLines(corpus.items.map(({ id, text }) => ({ id, text })))].join('\n'));
  writeFileSync(interactions, [...interactionsCsvLines(corpus.interactions)].join('\n'));
  return { items, interactions };
}
