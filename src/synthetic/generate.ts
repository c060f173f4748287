import { SeededRandom } from '../random/seeded-random';
import { syntheticFillerWords, syntheticTopicWords } from './topics';

/** Options of {@link generateSyntheticCorpus}; every field has a default. */
export interface SyntheticCorpusOptions {
  /** Seed of the generator: the same seed gives the same corpus. Default 1. */
  seed?: number;
  /** Number of items (articles). Default 800. */
  itemCount?: number;
  /** Number of users. Default 500. */
  userCount?: number;
  /** Number of topics used, at most 8. Default 8. */
  topicCount?: number;
  /** Words per article: uniform in [min, max]. Default [25, 70] words. */
  wordsPerItem?: readonly [number, number];
  /** Share of an article's words drawn from its topic (the rest are filler words). Default 0.5. */
  topicWordShare?: number;
  /** Clicks per user: uniform in [min, max]. Default [8, 40] items. */
  clicksPerUser?: readonly [number, number];
  /** Topics each user follows: uniform in [1, max]. Default 2. */
  maxTopicsPerUser?: number;
  /**
   * Probability that a click ignores the user's topics and goes to an item drawn by popularity
   * alone (noise that a popularity baseline can exploit). Default 0.15.
   */
  popularClickShare?: number;
  /** Zipf exponent of item popularity within a topic. Default 0.8. */
  popularityExponent?: number;
}

/** One generated article. */
export interface SyntheticItem {
  /** Item id, `n0001` style. */
  id: string;
  /** The article text. */
  text: string;
  /** The planted topic, for checking what the model learned (not an input to it). */
  topic: string;
}

/** One generated click. Every click is a positive: rating 5 of 5. */
export interface SyntheticInteraction {
  /** User id, `u0001` style. */
  user: string;
  /** Item id. */
  item: string;
  /** Always 5. */
  rating: number;
  /** Unix seconds, increasing within a user. */
  timestamp: number;
}

/** A generated corpus: items with text, clicks, and the planted ground truth. */
export interface SyntheticCorpus {
  /** The articles. */
  items: SyntheticItem[];
  /** The clicks, grouped by user in time order. */
  interactions: SyntheticInteraction[];
  /** The topics each user follows, by user id (the planted truth). */
  userTopics: Map<string, string[]>;
}

/**
 * Generates a licence-free, news-like corpus with planted topics: each article is about one
 * topic and mixes that topic's words with shared filler words; each user follows one or a few
 * topics and clicks articles of those topics, more often the popular ones, plus some clicks on
 * popular articles regardless of topic. A text-based recommender that learns the topics beats
 * a popularity ranking on it; an attention model can tell which followed topic a candidate
 * belongs to.
 *
 * Used by `npm run demo`, the examples and the tests. Deterministic for a given seed.
 */
export function generateSyntheticCorpus(options: SyntheticCorpusOptions = {}): SyntheticCorpus {
  const {
    seed = 1,
    itemCount = 800,
    userCount = 500,
    topicCount = 8,
    wordsPerItem = [25, 70],
    topicWordShare = 0.5,
    clicksPerUser = [8, 40],
    maxTopicsPerUser = 2,
    popularClickShare = 0.15,
    popularityExponent = 0.8,
  } = options;
  const allTopics = Object.keys(syntheticTopicWords);
  if (!Number.isInteger(topicCount) || topicCount < 1 || topicCount > allTopics.length) {
    throw new RangeError(
      `generateSyntheticCorpus: topicCount must be an integer in [1, ${allTopics.length}], got ${topicCount}`,
    );
  }
  if (!Number.isInteger(itemCount) || itemCount < topicCount) {
    throw new RangeError(
      `generateSyntheticCorpus: itemCount must be an integer >= topicCount (${topicCount}), got ${itemCount}`,
    );
  }
  if (!Number.isInteger(userCount) || userCount < 1) {
    throw new RangeError(`generateSyntheticCorpus: userCount must be a positive integer, got ${userCount}`);
  }
  if (!(topicWordShare >= 0 && topicWordShare <= 1)) {
    throw new RangeError(`generateSyntheticCorpus: topicWordShare must be in [0, 1], got ${topicWordShare}`);
  }
  checkRange('wordsPerItem', wordsPerItem, 1);
  checkRange('clicksPerUser', clicksPerUser, 1);

  const rng = new SeededRandom(seed);
  const topics = allTopics.slice(0, topicCount);
  const idWidth = String(Math.max(itemCount, userCount)).length;

  const items: SyntheticItem[] = [];
  const itemsByTopic: number[][] = topics.map(() => []);
  for (let index = 0; index < itemCount; index++) {
    const topicIndex = index % topicCount;
    const topicWords = syntheticTopicWords[topics[topicIndex]];
    const length = wordsPerItem[0] + rng.nextInt(wordsPerItem[1] - wordsPerItem[0] + 1);
    const words: string[] = [];
    for (let w = 0; w < length; w++) {
      const pool = rng.nextFloat() < topicWordShare ? topicWords : syntheticFillerWords;
      words.push(pool[rng.nextInt(pool.length)]);
    }
    items.push({
      id: `n${String(index + 1).padStart(idWidth, '0')}`,
      text: capitalise(words.join(' ')) + '.',
      topic: topics[topicIndex],
    });
    itemsByTopic[topicIndex].push(index);
  }

  // Zipf popularity within each topic, in a random order so item index says nothing.
  const popularity = new Float64Array(itemCount);
  for (const members of itemsByTopic) {
    const order = rng.shuffle(members.slice());
    order.forEach((itemIndex, rank) => (popularity[itemIndex] = 1 / Math.pow(rank + 1, popularityExponent)));
  }
  const globalSampler = cumulative(
    Array.from({ length: itemCount }, (_, i) => i),
    popularity,
  );
  const topicSamplers = itemsByTopic.map((members) => cumulative(members, popularity));

  const interactions: SyntheticInteraction[] = [];
  const userTopics = new Map<string, string[]>();
  const startTime = 1_700_000_000;
  for (let u = 0; u < userCount; u++) {
    const userId = `u${String(u + 1).padStart(idWidth, '0')}`;
    const followed = rng
      .shuffle(topics.map((_, t) => t))
      .slice(0, 1 + rng.nextInt(Math.min(maxTopicsPerUser, topicCount)));
    userTopics.set(
      userId,
      followed.map((t) => topics[t]),
    );
    const wanted = Math.min(
      itemCount,
      clicksPerUser[0] + rng.nextInt(clicksPerUser[1] - clicksPerUser[0] + 1),
    );
    const clicked = new Set<number>();
    let time = startTime + rng.nextInt(86_400 * 30);
    for (let attempt = 0; clicked.size < wanted && attempt < wanted * 50; attempt++) {
      const sampler =
        rng.nextFloat() < popularClickShare
          ? globalSampler
          : topicSamplers[followed[rng.nextInt(followed.length)]];
      const item = sampler(rng.nextFloat());
      if (clicked.has(item)) continue;
      clicked.add(item);
      time += 60 + rng.nextInt(86_400);
      interactions.push({ user: userId, item: items[item].id, rating: 5, timestamp: time });
    }
  }
  return { items, interactions, userTopics };
}

function checkRange(name: string, range: readonly [number, number], minimum: number): void {
  const [low, high] = range;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < minimum || high < low) {
    throw new RangeError(
      `generateSyntheticCorpus: ${name} must be integers [min, max] with ${minimum} <= min <= max, got [${low}, ${high}]`,
    );
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Inverse-CDF sampler over `members` with weights `weights[member]`. */
function cumulative(members: readonly number[], weights: Float64Array): (uniform: number) => number {
  const totals = new Float64Array(members.length);
  let sum = 0;
  members.forEach((member, i) => {
    sum += weights[member];
    totals[i] = sum;
  });
  return (uniform) => {
    const target = uniform * sum;
    let low = 0;
    let high = totals.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (totals[middle] > target) high = middle;
      else low = middle + 1;
    }
    return members[low];
  };
}
