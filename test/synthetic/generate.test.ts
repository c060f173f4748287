import { describe, expect, it } from 'vitest';
import { generateSyntheticCorpus, syntheticTopicWords } from '../../src/synthetic';

describe('generateSyntheticCorpus', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSyntheticCorpus({ seed: 5, itemCount: 50, userCount: 20 });
    const b = generateSyntheticCorpus({ seed: 5, itemCount: 50, userCount: 20 });
    const c = generateSyntheticCorpus({ seed: 6, itemCount: 50, userCount: 20 });
    expect(a.items).toEqual(b.items);
    expect(a.interactions).toEqual(b.interactions);
    expect(a.interactions).not.toEqual(c.interactions);
  });

  it('plants topics: about half of an article is its topic words, and users click mostly their topics', () => {
    const corpus = generateSyntheticCorpus({
      seed: 2,
      itemCount: 400,
      userCount: 200,
      popularClickShare: 0.1,
    });
    let topicWordCount = 0;
    let wordCount = 0;
    for (const item of corpus.items) {
      const topicWords = new Set(syntheticTopicWords[item.topic]);
      const words = item.text.toLowerCase().match(/[a-z]+/g) ?? [];
      wordCount += words.length;
      topicWordCount += words.filter((word) => topicWords.has(word)).length;
    }
    expect(topicWordCount / wordCount).toBeGreaterThan(0.45);
    expect(topicWordCount / wordCount).toBeLessThan(0.55);

    const topicOf = new Map(corpus.items.map((item) => [item.id, item.topic]));
    let inFollowedTopics = 0;
    for (const click of corpus.interactions) {
      if (corpus.userTopics.get(click.user)?.includes(topicOf.get(click.item) as string)) inFollowedTopics++;
    }
    // 90% of click draws are topical; repeat clicks are redrawn, which favours the popular draws
    // slightly for users who exhaust their topics, so the observed share sits a little lower.
    expect(inFollowedTopics / corpus.interactions.length).toBeGreaterThan(0.8);
  });

  it('never repeats a (user, item) pair and keeps time increasing within a user', () => {
    const corpus = generateSyntheticCorpus({ seed: 3, itemCount: 60, userCount: 30 });
    const seen = new Set<string>();
    const lastTime = new Map<string, number>();
    for (const click of corpus.interactions) {
      const key = `${click.user}|${click.item}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(click.timestamp).toBeGreaterThan(lastTime.get(click.user) ?? 0);
      lastTime.set(click.user, click.timestamp);
    }
  });

  it('rejects impossible options with a message naming the option', () => {
    expect(() => generateSyntheticCorpus({ topicCount: 9 })).toThrow(/topicCount/);
    expect(() => generateSyntheticCorpus({ itemCount: 3, topicCount: 4 })).toThrow(/itemCount/);
    expect(() => generateSyntheticCorpus({ clicksPerUser: [5, 2] })).toThrow(/clicksPerUser/);
  });
});
