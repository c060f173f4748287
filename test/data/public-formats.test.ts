import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DataFormatError,
  InteractionDataset,
  interactionsCsvLines,
  itemsJsonlLines,
  loadAmazonMetadata,
  loadAmazonReviews,
  loadInteractionsCsv,
  loadItemsJsonl,
  loadMovieLensMovies,
  loadMovieLensRatings,
} from '../../src/data';
import { splitTitle } from '../../src/data/movielens-movies';

// Small hand-written samples in the public formats (the real files may not be redistributed).
const moviesCsv = [
  'movieId,title,genres',
  '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
  '11,"American President, The (1995)",Comedy|Drama|Romance',
  '318,"Shawshank Redemption, The (1994)",Crime|Drama',
  '176601,Black Mirror,(no genres listed)',
];
const tagsCsv = [
  'userId,movieId,tag,timestamp',
  '15,1,pixar,1139045764',
  '22,1,Pixar,1139045765',
  '22,1,fun,1139045766',
  '30,318,prison,1139045767',
  '31,1,  ,1139045768',
];
const linksCsv = [
  'movieId,imdbId,tmdbId',
  '1,0114709,862',
  '11,0112346,9087',
  '318,0111161,278',
  '176601,2085059,',
];

function file(name: string, lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mars-formats-')), name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<DataFormatError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  return error as DataFormatError;
}

describe('loadMovieLensMovies', () => {
  it('makes items of titles, years, genres, tags (most used first, case folded) and links', async () => {
    const items = await loadMovieLensMovies(moviesCsv, { tags: tagsCsv, links: linksCsv });
    expect(items.map((item) => item.id)).toEqual(['1', '11', '318', '176601']);
    expect(items[0]).toEqual({
      id: '1',
      title: 'Toy Story',
      year: 1995,
      genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
      tags: ['pixar', 'fun'],
      imdbId: '0114709',
      tmdbId: '862',
      text: 'Toy Story (1995). Adventure, Animation, Children, Comedy, Fantasy. pixar, fun.',
    });
    expect(items[1].text).toBe('The American President (1995). Comedy, Drama, Romance.');
    expect(items[2]).toMatchObject({ title: 'The Shawshank Redemption', tags: ['prison'], tmdbId: '278' });
    // no year, no genres, no TMDB id
    expect(items[3]).toMatchObject({ title: 'Black Mirror', genres: [], text: 'Black Mirror.' });
    expect(items[3].year).toBeUndefined();
    expect(items[3].tmdbId).toBeUndefined();
    expect((await loadMovieLensMovies(moviesCsv, { tags: tagsCsv, maxTagsPerMovie: 1 }))[0].tags).toEqual([
      'pixar',
    ]);
  });

  it('reads the ::-separated movies.dat and tags.dat of ml-1m and ml-10m', async () => {
    const items = await loadMovieLensMovies(
      ["1::Toy Story (1995)::Animation|Children's|Comedy", "2::Jumanji (1995)::Adventure|Children's|Fantasy"],
      { tags: ['15::2::board game::1215184630'] },
    );
    expect(items.map((item) => item.text)).toEqual([
      "Toy Story (1995). Animation, Children's, Comedy.",
      "Jumanji (1995). Adventure, Children's, Fantasy. board game.",
    ]);
  });

  it('moves trailing articles to the front, in the languages MovieLens uses', () => {
    expect(splitTitle('Shawshank Redemption, The (1994)')).toEqual({
      title: 'The Shawshank Redemption',
      year: 1994,
    });
    expect(splitTitle("Avventura, L' (1960)")).toEqual({ title: "L'Avventura", year: 1960 });
    expect(splitTitle('Cité des enfants perdus, La (City of Lost Children, The) (1995)')).toEqual({
      title: 'La Cité des enfants perdus (City of Lost Children, The)',
      year: 1995,
    });
    expect(splitTitle('Babe (1995)')).toEqual({ title: 'Babe', year: 1995 });
    expect(splitTitle('Hello, Dolly!')).toEqual({ title: 'Hello, Dolly!' });
  });

  it('names the file and line of a bad header, field count, repeated id, or a tag of an unknown movie', async () => {
    const movies = file('movies.csv', [...moviesCsv, '1,Toy Story again (1995),Comedy']);
    const repeated = await rejection(loadMovieLensMovies(movies));
    expect(repeated.message).toBe(`${movies}:6: movie id '1' already appeared on line 2`);
    expect((await rejection(loadMovieLensMovies(['id,title,genres']))).message).toMatch(
      /^<input>:1: the header must name the columns movieid,title,genres .*missing movieid/,
    );
    expect((await rejection(loadMovieLensMovies(['movieId,title,genres', '5,Heat (1995)']))).message).toBe(
      '<input>:2: expected 3 fields as in the header, got 2',
    );
    expect(
      (await rejection(loadMovieLensMovies(['movieId,title,genres', 'x,Heat (1995),Action']))).message,
    ).toBe("<input>:2: movieId must be a number, got 'x'");
    const tags = file('tags.csv', ['userId,movieId,tag,timestamp', '1,999,unknown,0']);
    expect((await rejection(loadMovieLensMovies(moviesCsv, { tags }))).message).toBe(
      `${tags}:2: tag of movie '999', which the movies file does not list`,
    );
  });

  it('with the ratings, builds a dataset whose item texts are the movies', async () => {
    const items = await loadMovieLensMovies(moviesCsv);
    const ratings = await loadMovieLensRatings([
      'userId,movieId,rating,timestamp',
      '1,318,5.0,964982703',
      '1,1,4.0,964981247',
    ]);
    const dataset = InteractionDataset.build(items, ratings);
    expect(dataset.interactionCount).toBe(2);
    expect(dataset.itemTexts[dataset.itemIds.indexOf('318')]).toBe(
      'The Shawshank Redemption (1994). Crime, Drama.',
    );
  });
});

const reviewLines = [
  // 2018 format
  '{"overall": 5.0, "verified": true, "reviewTime": "09 13, 2009", "reviewerID": "A1", "asin": "B001", "reviewText": "Great", "unixReviewTime": 1252800000}',
  // 2014 format, no unixReviewTime: reviewTime is read as a UTC date
  '{"reviewerID": "A2", "asin": "B002", "helpful": [0, 0], "overall": 3.0, "reviewTime": "01 02, 2014"}',
  '',
  '{"reviewerID": "A1", "asin": "B002"}',
];
const metadataLines = [
  '{"asin": "B001", "title": "Stapler", "brand": "Swingline", "category": ["Office Products", "Staplers"], "description": ["Staples <b>20</b> sheets.", ""], "feature": ["Metal"]}',
  '{"asin": "B002", "categories": [["Office Products", "Paper"], ["Office Products", "Notebooks"]], "description": "Ruled notebook."}',
  '{"asin": "B003"}',
  '{"asin": "B001", "title": "Stapler (listed again)"}',
];

describe('Amazon review data (McAuley format)', () => {
  it('reviews become interactions: reviewer, product, rating, Unix time', async () => {
    expect(await loadAmazonReviews(reviewLines)).toEqual([
      { user: 'A1', item: 'B001', rating: 5, timestamp: 1252800000 },
      { user: 'A2', item: 'B002', rating: 3, timestamp: Date.UTC(2014, 0, 2) / 1000 },
      { user: 'A1', item: 'B002' },
    ]);
  });

  it('metadata becomes items: title, brand, categories (each once) and description as text', async () => {
    const items = await loadAmazonMetadata(metadataLines);
    expect(items).toEqual([
      {
        id: 'B001',
        title: 'Stapler',
        brand: 'Swingline',
        categories: ['Office Products', 'Staplers'],
        text: 'Stapler. Swingline. Office Products, Staplers. Staples <b>20</b> sheets.',
      },
      {
        id: 'B002',
        categories: ['Office Products', 'Paper', 'Notebooks'],
        text: 'Office Products, Paper, Notebooks. Ruled notebook.',
      },
      { id: 'B003', categories: [], text: '' },
    ]);
    const featured = await loadAmazonMetadata(metadataLines, { textFields: ['title', 'feature'] });
    expect(featured[0].text).toBe('Stapler. Metal');
  });

  it('names the file and line of broken input, and explains the 2014 Python-literal files', async () => {
    const reviews = file('reviews.json', [reviewLines[0], '{"reviewerID": "A3", "overall": 4}']);
    expect((await rejection(loadAmazonReviews(reviews))).message).toBe(
      `${reviews}:2: field "asin" must be a non-empty string, got undefined`,
    );
    expect(
      (await rejection(loadAmazonReviews(['{"reviewerID": "A", "asin": "B", "overall": "five"}']))).message,
    ).toBe('<input>:1: "overall" must be a number, got "five"');
    expect(
      (await rejection(loadAmazonReviews(['{"reviewerID": "A", "asin": "B", "reviewTime": "2009-09-13"}'])))
        .message,
    ).toMatch(/^<input>:1: "reviewTime" must read like "09 13, 2009"/);
    expect((await rejection(loadAmazonMetadata(["{'asin': 'B001', 'title': 'Stapler'}"]))).message).toMatch(
      /^<input>:1: a Python literal \(single quotes\), not JSON: the 2014 metadata files need converting/,
    );
    expect((await rejection(loadAmazonMetadata(['[1, 2]']))).message).toBe(
      '<input>:1: expected a JSON object, one per line',
    );
    expect((await rejection(loadAmazonMetadata(metadataLines, { onDuplicate: 'error' }))).message).toBe(
      "<input>:4: product 'B001' already appeared on line 1",
    );
    expect((await rejection(loadAmazonMetadata(['{"asin": "B", "category": "Paper"}']))).message).toMatch(
      /^<input>:1: field "category" must be a list of strings/,
    );
  });
});

describe('items.jsonl and interactions.csv lines', () => {
  it('round-trip through the library loaders, titles and awkward ids included', async () => {
    const items = [
      { id: 'B001', title: 'Stapler, "heavy"', text: 'A stapler.' },
      { id: 'B002', text: 'Paper' },
    ];
    const interactions = [
      { user: 'A,1', item: 'B001', rating: 5, timestamp: 1252800000 },
      { user: 'A2', item: 'B002' },
    ];
    const itemLines = [...itemsJsonlLines(items)];
    expect(JSON.parse(itemLines[0])).toEqual({ id: 'B001', title: 'Stapler, "heavy"', text: 'A stapler.' });
    expect(await loadItemsJsonl(itemLines)).toEqual([
      { id: 'B001', text: 'A stapler.' },
      { id: 'B002', text: 'Paper' },
    ]);
    const csvLines = [...interactionsCsvLines(interactions)];
    expect(csvLines).toEqual(['user,item,rating,timestamp', '"A,1",B001,5,1252800000', 'A2,B002,,']);
    expect(await loadInteractionsCsv(csvLines)).toEqual(interactions);
  });
});
