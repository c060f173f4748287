import type { SyntheticCorpusOptions } from '../../src/synthetic';

/** The corpus the page generates; the browser test regenerates it to check the page's output. */
export const exampleCorpusOptions: SyntheticCorpusOptions = {
  seed: 3,
  itemCount: 90,
  userCount: 60,
  clicksPerUser: [5, 10],
};

/** How many recommendations the page shows. */
export const recommendationCount = 5;
