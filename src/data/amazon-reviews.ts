import type { InteractionRecord, ItemRecord } from './interaction-dataset';
import { DataFormatError, readLines, sourceName } from './loaders';
import type { LineSource } from './loaders';

/** An Amazon product as an item: its text is made of the metadata fields asked for. */
export interface AmazonItem extends ItemRecord {
  /** `asin`. */
  id: string;
  /** Product title, when the metadata has one. */
  title?: string;
  /** Brand, when given. */
  brand?: string;
  /** Categories, from the most general, each once. */
  categories: string[];
}

/** Metadata fields {@link loadAmazonMetadata} can put in the item text. */
export type AmazonTextField = 'title' | 'brand' | 'category' | 'description' | 'feature';

/** Options of {@link loadAmazonMetadata}. */
export interface AmazonMetadataOptions {
  /** Fields joined into the item text, in this order. Default `['title', 'brand', 'category', 'description']`. */
  textFields?: readonly AmazonTextField[];
  /**
   * A product listed twice (the 2018 files hold some duplicates): `'keep-first'` keeps the
   * first line and passes over the others, `'error'` refuses the file. Default `'keep-first'`.
   */
  onDuplicate?: 'keep-first' | 'error';
}

/**
 * Loads Amazon review data (McAuley et al., the 2014 and 2018 releases: `reviews_*.json`,
 * `*_5.json`, `Office_Products.json`; one JSON object a line) as interactions: `reviewerID` is
 * the user, `asin` the item, `overall` the rating (1 to 5), `unixReviewTime` the timestamp (or
 * `reviewTime`, `"09 13, 2009"`, read as UTC). Every review is an interaction; keep the liked
 * ones with `preprocess(dataset, { minRating: 4 })`.
 *
 * @example
 * ```ts
 * import { InteractionDataset, loadAmazonMetadata, loadAmazonReviews, preprocess } from 'mars-rec/data';
 *
 * const items = await loadAmazonMetadata('meta_Office_Products.json');
 * const reviews = await loadAmazonReviews('Office_Products_5.json');
 * const { dataset } = preprocess(InteractionDataset.build(items, reviews), { minRating: 4 });
 * ```
 * @throws DataFormatError naming the file and line for a line that is not a JSON object, a
 *   missing `reviewerID` or `asin`, or a rating or time that is not a number.
 */
export async function loadAmazonReviews(source: LineSource): Promise<InteractionRecord[]> {
  const name = sourceName(source);
  const records: InteractionRecord[] = [];
  for await (const { line, value } of jsonObjects(source)) {
    const user = stringField(value, 'reviewerID', name, line);
    const item = stringField(value, 'asin', name, line);
    const record: InteractionRecord = { user, item };
    if (value.overall !== undefined && value.overall !== null) {
      const rating = Number(value.overall);
      if (!Number.isFinite(rating) || typeof value.overall === 'boolean')
        throw new DataFormatError(
          name,
          line,
          `"overall" must be a number, got ${JSON.stringify(value.overall)}`,
        );
      record.rating = rating;
    }
    const timestamp = reviewTime(value, name, line);
    if (timestamp !== undefined) record.timestamp = timestamp;
    records.push(record);
  }
  return records;
}

/**
 * Loads Amazon product metadata (`meta_*.json`; one JSON object a line) as items with text: by
 * default the title, brand, categories and description, joined with `. ` (HTML in descriptions
 * is stripped later by the tokenizer). Reads the 2018 fields (`category`, `description` and
 * `feature` as lists) and the 2014 ones (`categories` as a list of lists, `description` as a
 * string). Products with none of the fields get an empty text, which `preprocess` drops and
 * counts. The 2014 metadata files are Python literals (single quotes), not JSON: convert them
 * first (`json.dumps(ast.literal_eval(line))` per line); such a line gets an error saying so.
 *
 * @throws DataFormatError naming the file and line for a line that is not a JSON object, a
 *   missing `asin`, a field of the wrong type, or (with `onDuplicate: 'error'`) a product listed
 *   twice.
 */
export async function loadAmazonMetadata(
  source: LineSource,
  options: AmazonMetadataOptions = {},
): Promise<AmazonItem[]> {
  const name = sourceName(source);
  const fields = options.textFields ?? ['title', 'brand', 'category', 'description'];
  const items: AmazonItem[] = [];
  const lineOf = new Map<string, number>();
  for await (const { line, value } of jsonObjects(source)) {
    const id = stringField(value, 'asin', name, line);
    const previous = lineOf.get(id);
    if (previous !== undefined) {
      if (options.onDuplicate === 'error')
        throw new DataFormatError(name, line, `product '${id}' already appeared on line ${previous}`);
      continue;
    }
    lineOf.set(id, line);
    const title = optionalText(value, 'title', name, line);
    const brand = optionalText(value, 'brand', name, line);
    const categories = categoriesOf(value, name, line);
    const parts: Record<AmazonTextField, string[]> = {
      title: title ? [title] : [],
      brand: brand ? [brand] : [],
      category: categories.length > 0 ? [categories.join(', ')] : [],
      description: textList(value, 'description', name, line),
      feature: textList(value, 'feature', name, line),
    };
    const item: AmazonItem = {
      id,
      text: fields.flatMap((field) => parts[field]).join('. '),
      categories,
      ...(title ? { title } : {}),
      ...(brand ? { brand } : {}),
    };
    items.push(item);
  }
  return items;
}

type JsonObject = Record<string, unknown>;

async function* jsonObjects(source: LineSource): AsyncGenerator<{ line: number; value: JsonObject }> {
  const name = sourceName(source);
  let line = 0;
  for await (const rawLine of readLines(source)) {
    line++;
    const text = rawLine.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new DataFormatError(
        name,
        line,
        text.startsWith("{'")
          ? 'a Python literal (single quotes), not JSON: the 2014 metadata files need converting, e.g. json.dumps(ast.literal_eval(line)) per line'
          : `invalid JSON (${(error as Error).message})`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new DataFormatError(name, line, 'expected a JSON object, one per line');
    yield { line, value: value as JsonObject };
  }
}

function stringField(value: JsonObject, field: string, name: string, line: number): string {
  const raw = value[field];
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || text.trim() === '')
    throw new DataFormatError(
      name,
      line,
      `field "${field}" must be a non-empty string, got ${JSON.stringify(raw)}`,
    );
  return text.trim();
}

function optionalText(value: JsonObject, field: string, name: string, line: number): string | undefined {
  const raw = value[field];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string')
    throw new DataFormatError(name, line, `field "${field}" must be a string, got ${JSON.stringify(raw)}`);
  const text = raw.trim();
  return text === '' ? undefined : text;
}

/** A field that is a string or a list of strings (2018 `description`, `feature`), as non-empty texts. */
function textList(value: JsonObject, field: string, name: string, line: number): string[] {
  const raw = value[field];
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string'))
    throw new DataFormatError(
      name,
      line,
      `field "${field}" must be a string or a list of strings, got ${JSON.stringify(raw).slice(0, 80)}`,
    );
  return (list as string[]).map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** 2018 `category` (a list) or 2014 `categories` (a list of lists), flattened, each once. */
function categoriesOf(value: JsonObject, name: string, line: number): string[] {
  const raw = value.category ?? value.categories;
  if (raw === undefined || raw === null) return [];
  const flat = Array.isArray(raw) ? raw.flat() : raw;
  if (!Array.isArray(flat) || flat.some((entry) => typeof entry !== 'string'))
    throw new DataFormatError(
      name,
      line,
      `field "${value.category !== undefined ? 'category' : 'categories'}" must be a list of strings (or of lists of strings), got ${JSON.stringify(raw).slice(0, 80)}`,
    );
  return [...new Set((flat as string[]).map((entry) => entry.trim()).filter((entry) => entry !== ''))];
}

const months = /^(\d{1,2}) (\d{1,2}), (\d{4})$/;

function reviewTime(value: JsonObject, name: string, line: number): number | undefined {
  if (value.unixReviewTime !== undefined && value.unixReviewTime !== null) {
    const seconds = Number(value.unixReviewTime);
    if (!Number.isFinite(seconds) || typeof value.unixReviewTime === 'boolean')
      throw new DataFormatError(
        name,
        line,
        `"unixReviewTime" must be a number of seconds, got ${JSON.stringify(value.unixReviewTime)}`,
      );
    return seconds;
  }
  if (typeof value.reviewTime === 'string') {
    const date = months.exec(value.reviewTime.trim());
    if (!date)
      throw new DataFormatError(
        name,
        line,
        `"reviewTime" must read like "09 13, 2009", got '${value.reviewTime}'`,
      );
    return Date.UTC(Number(date[3]), Number(date[1]) - 1, Number(date[2])) / 1000;
  }
  return undefined;
}
