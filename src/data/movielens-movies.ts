import type { ItemRecord } from './interaction-dataset';
import { DataFormatError, readLines, sourceName, splitCsvLine } from './loaders';
import type { LineSource } from './loaders';

/** A MovieLens movie as an item: its text is the title, year, genres and tags. */
export interface MovieLensItem extends ItemRecord {
  /** `movieId`. */
  id: string;
  /** Title without the year, with a trailing article moved to the front (`Shawshank Redemption, The` -> `The Shawshank Redemption`). */
  title: string;
  /** Release year from the title's `(1995)`, when present. */
  year?: number;
  /** Genres (`(no genres listed)` gives none). */
  genres: string[];
  /** Tags users gave the movie (tags.csv), most used first, each once whatever its case. */
  tags: string[];
  /** IMDb id from links.csv (`0114709`), when given. */
  imdbId?: string;
  /** TMDB id from links.csv (`862`), when given: the key to join TMDB overviews. */
  tmdbId?: string;
}

/** Options of {@link loadMovieLensMovies}. */
export interface MovieLensMoviesOptions {
  /** tags.csv (`userId,movieId,tag,timestamp`) or tags.dat (`::`-separated): added to the text. */
  tags?: LineSource;
  /** links.csv (`movieId,imdbId,tmdbId`): fills `imdbId` and `tmdbId`. */
  links?: LineSource;
  /** Most tags kept per movie, the most used first. Default 20. */
  maxTagsPerMovie?: number;
}

/** Trailing articles MovieLens moves behind the title, per language. */
const trailingArticle = /^(.*), (The|A|An|Les|La|Le|L'|Il|Das|Der|Die|Den|Det|El|Los|Las)$/;

/**
 * Loads MovieLens movies as items: `movies.csv` of ml-latest, ml-latest-small, ml-20m, ml-25m
 * (header `movieId,title,genres`, RFC 4180 quoting) or the `::`-separated `movies.dat` of
 * ml-1m and ml-10m. The item text is `Title (year). Genre, Genre. tag, tag.`; with `tags`, the
 * tags users gave each movie join the text (the most used first); with `links`, the IMDb and
 * TMDB ids are kept for joining other sources (TMDB overviews, say).
 *
 * The result goes to {@link InteractionDataset.build} with {@link loadMovieLensRatings}.
 *
 * @example
 * ```ts
 * import { InteractionDataset, loadMovieLensMovies, loadMovieLensRatings } from 'mars-rec/data';
 *
 * const items = await loadMovieLensMovies('ml-latest-small/movies.csv', { tags: 'ml-latest-small/tags.csv' });
 * const dataset = InteractionDataset.build(items, await loadMovieLensRatings('ml-latest-small/ratings.csv'));
 * ```
 * @throws DataFormatError naming the file and line for a missing header column, a wrong field
 *   count, a repeated movie id, a non-numeric id, or a tag or link of a movie the movies file
 *   does not list.
 */
export async function loadMovieLensMovies(
  movies: LineSource,
  options: MovieLensMoviesOptions = {},
): Promise<MovieLensItem[]> {
  const maxTags = options.maxTagsPerMovie ?? 20;
  if (!Number.isInteger(maxTags) || maxTags < 0)
    throw new RangeError(`loadMovieLensMovies: maxTagsPerMovie must be an integer >= 0, got ${maxTags}`);
  const items: MovieLensItem[] = [];
  const byId = new Map<string, MovieLensItem>();
  const name = sourceName(movies);
  const lineOf = new Map<string, number>();
  for await (const { line, fields } of records(movies, ['movieid', 'title', 'genres'])) {
    const [id, rawTitle, rawGenres] = [fields[0].trim(), fields[1], fields[2]];
    checkId(id, name, line, 'movieId');
    const previous = lineOf.get(id);
    if (previous !== undefined)
      throw new DataFormatError(name, line, `movie id '${id}' already appeared on line ${previous}`);
    lineOf.set(id, line);
    const { title, year } = splitTitle(rawTitle.trim());
    const genres = rawGenres
      .split('|')
      .map((genre) => genre.trim())
      .filter((genre) => genre !== '' && genre !== '(no genres listed)');
    const item: MovieLensItem = { id, text: '', title, genres, tags: [], ...(year ? { year } : {}) };
    items.push(item);
    byId.set(id, item);
  }
  if (options.tags !== undefined) await addTags(options.tags, byId, maxTags);
  if (options.links !== undefined) await addLinks(options.links, byId);
  for (const item of items) item.text = movieText(item);
  return items;
}

/** `Title (1995). Genre, Genre. tag, tag.` */
function movieText(item: MovieLensItem): string {
  const parts = [item.year ? `${item.title} (${item.year})` : item.title];
  if (item.genres.length > 0) parts.push(item.genres.join(', '));
  if (item.tags.length > 0) parts.push(item.tags.join(', '));
  return `${parts.join('. ')}.`;
}

/** `American President, The (1995)` -> `The American President`, 1995. */
export function splitTitle(raw: string): { title: string; year?: number } {
  const dated = /^(.*?)\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$/.exec(raw);
  let title = dated ? dated[1] : raw;
  const year = dated ? Number(dated[2]) : undefined;
  // "Shawshank Redemption, The" and "Cité des enfants perdus, La (City of Lost Children, The)"
  const aka = /^(.*?)\s*(\(.*\))$/.exec(title);
  const main = aka ? aka[1] : title;
  const article = trailingArticle.exec(main);
  if (article) {
    const joined = article[2].endsWith("'") ? `${article[2]}${article[1]}` : `${article[2]} ${article[1]}`;
    title = aka ? `${joined} ${aka[2]}` : joined;
  }
  return year === undefined ? { title } : { title, year };
}

async function addTags(source: LineSource, byId: Map<string, MovieLensItem>, maxTags: number): Promise<void> {
  const name = sourceName(source);
  const counts = new Map<string, Map<string, { tag: string; count: number; first: number }>>();
  let order = 0;
  for await (const { line, fields } of records(source, ['userid', 'movieid', 'tag'])) {
    const [movie, rawTag] = [fields[1].trim(), fields[2]];
    if (!byId.has(movie))
      throw new DataFormatError(name, line, `tag of movie '${movie}', which the movies file does not list`);
    const tag = rawTag.trim().replace(/\s+/g, ' ');
    if (tag === '') continue;
    let tags = counts.get(movie);
    if (!tags) counts.set(movie, (tags = new Map()));
    const key = tag.toLowerCase();
    const entry = tags.get(key);
    if (entry) entry.count++;
    else tags.set(key, { tag, count: 1, first: order++ });
  }
  for (const [movie, tags] of counts) {
    (byId.get(movie) as MovieLensItem).tags = [...tags.values()]
      .sort((a, b) => b.count - a.count || a.first - b.first)
      .slice(0, maxTags)
      .map((entry) => entry.tag);
  }
}

async function addLinks(source: LineSource, byId: Map<string, MovieLensItem>): Promise<void> {
  const name = sourceName(source);
  for await (const { line, fields } of records(source, ['movieid', 'imdbid', 'tmdbid'])) {
    const [movie, imdbId, tmdbId] = fields.map((field) => field.trim());
    const item = byId.get(movie);
    if (!item)
      throw new DataFormatError(name, line, `link of movie '${movie}', which the movies file does not list`);
    if (imdbId !== '') item.imdbId = imdbId;
    if (tmdbId !== '') item.tmdbId = tmdbId;
  }
}

/**
 * The data lines of a MovieLens file as fields in the order of `columns`: a CSV file with a
 * header naming them (any order, case-insensitive), or a header-less `::`-separated .dat file
 * whose fields come in that order.
 */
async function* records(
  source: LineSource,
  columns: readonly string[],
): AsyncGenerator<{ line: number; fields: string[] }> {
  const name = sourceName(source);
  let line = 0;
  let positions: number[] | undefined;
  let width = 0;
  for await (const rawLine of readLines(source)) {
    line++;
    const text = rawLine.replace(/\r$/, '');
    if (text.trim() === '') continue;
    if (positions === undefined) {
      if (text.includes('::')) {
        positions = columns.map((_, index) => index);
        width = -1; // .dat: at least as many fields as columns
      } else {
        const header = splitCsvLine(text)?.map((field) => field.trim().toLowerCase()) ?? [];
        positions = columns.map((column) => header.indexOf(column));
        const missing = columns.filter((_, index) => (positions as number[])[index] < 0);
        if (missing.length > 0)
          throw new DataFormatError(
            name,
            line,
            `the header must name the columns ${columns.join(',')} (case-insensitive); missing ${missing.join(', ')} in '${text}'`,
          );
        width = header.length;
        continue;
      }
    }
    const fields = width < 0 ? text.split('::') : splitCsvLine(text);
    if (!fields) throw new DataFormatError(name, line, 'a quoted field is not closed');
    if (width >= 0 ? fields.length !== width : fields.length < columns.length)
      throw new DataFormatError(
        name,
        line,
        width >= 0
          ? `expected ${width} fields as in the header, got ${fields.length}`
          : `expected ${columns.length} '::'-separated fields (${columns.join('::')}), got ${fields.length}`,
      );
    yield { line, fields: positions.map((position) => fields[position]) };
  }
}

function checkId(id: string, name: string, line: number, field: string): void {
  if (!/^\d+$/.test(id.trim()))
    throw new DataFormatError(name, line, `${field} must be a number, got '${id}'`);
}
