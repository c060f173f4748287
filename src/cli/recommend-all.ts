// `mars-rec recommend --all-users --out FILE`: top-k for every user of a run's split, streamed to
// a JSON-lines file. The lines go to a temporary file beside FILE, renamed to FILE only when
// every user is written (`writeFileAtomically`), so a crash never leaves a truncated FILE behind.
import { open } from 'node:fs/promises';
import type { BackendPreference } from '../backend/select-backend';
import { writeFileAtomically } from '../data/write-file-atomically';
import { CliError, loadRun, withTitle } from './commands';
import { ProgressReporter } from './progress';

/** Users recommended for per batch: bounds the scores held at once to this many x items. */
const USERS_PER_BATCH = 128;

/** Options of `mars-rec recommend --all-users`. */
export interface RecommendAllOptions {
  /** The run directory. */
  model: string;
  /** The JSON-lines file to write. */
  out: string;
  /** Items per user. */
  k: number;
  /** Backend. */
  backend: BackendPreference;
}

/**
 * Writes one line per user of the run's split, in split order:
 * `{"user": id, "items": [{"id", "score", "title"?}, ...]}`, best first, training items left out.
 * @returns a summary: users and items written, seconds, and the file.
 */
export async function recommendAllCommand(options: RecommendAllOptions): Promise<Record<string, unknown>> {
  const loaded = await loadRun(options.model, options.backend);
  const started = performance.now();
  const progress = new ProgressReporter(process.stderr);
  const userCount = loaded.split.userIds.length;
  let items = 0;
  const writeLines = async (temporary: string): Promise<void> => {
    const file = await open(temporary, 'w').catch((error: Error) => {
      throw new CliError(`cannot write ${temporary}: ${error.message}`);
    });
    try {
      for (let first = 0; first < userCount; first += USERS_PER_BATCH) {
        const users = Int32Array.from(
          { length: Math.min(USERS_PER_BATCH, userCount - first) },
          (_, index) => first + index,
        );
        const lists = await loaded.recommendUsers(users, options.k);
        let text = '';
        lists.forEach((list, row) => {
          items += list.length;
          text += `${JSON.stringify({
            user: loaded.split.userIds[users[row]],
            items: list.map((item) => withTitle({ id: item.id, score: item.score }, loaded.titles)),
          })}\n`;
        });
        await file.write(text);
        progress.advance(
          {
            done: first + users.length,
            total: userCount,
            unit: 'users',
            elapsedSeconds: (performance.now() - started) / 1000,
          },
          'recommending',
        );
      }
    } finally {
      await file.close();
    }
  };
  try {
    await writeFileAtomically(options.out, writeLines);
  } finally {
    loaded.dispose();
  }
  return {
    users: userCount,
    items,
    k: options.k,
    seconds: (performance.now() - started) / 1000,
    out: options.out,
  };
}
