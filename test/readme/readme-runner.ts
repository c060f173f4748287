// Runs README.md's code as a reader would: the library quick start (the ```ts block under
// "## Quick start (library)") as a script that imports 'mars-rec', and every line of the ```sh
// block under "## Command line" through bash, in a folder holding items.jsonl and
// interactions.csv. One substitution keeps it fast, and it is documented in the README: the
// step budget `2000` becomes `README_TEST_STEPS`. Everything else runs as written.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Steps the README's `2000` becomes in the test. */
export const README_TEST_STEPS = 5;

/** What no README command may print (the CLI tests' `noise`). */
export { noise } from '../helpers/mars-rec-cli';

/**
 * The body of the first fenced block of `language` in the section headed `heading` of a
 * markdown file of the repository (default README.md).
 */
export function readmeBlock(heading: string, language: string, file = 'README.md'): string {
  const readme = readFileSync(join(root, file), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${file} has no section '${heading}'`);
  const next = readme.indexOf('\n## ', start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(section);
  if (!match) throw new Error(`${file} section '${heading}' has no \`\`\`${language} block`);
  return match[1];
}

/** Lowers the step budget of a block (every match), refusing a block that has none. */
export function withTestSteps(block: string, pattern: RegExp, replacement: string): string {
  const everywhere = new RegExp(pattern.source, 'g');
  if (!everywhere.test(block)) throw new Error(`expected ${pattern} in the README block:\n${block}`);
  return block.replace(everywhere, replacement);
}

/** A folder set up like a reader's project: `mars-rec` resolves to this repository's sources. */
export function readerFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        paths: { 'mars-rec': [join(root, 'src/index.ts')] },
      },
    }),
  );
  return folder;
}

/** The result of one process. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function spawn(file: string, args: string[], cwd: string, timeout: number): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      {
        cwd,
        timeout,
        maxBuffer: 64 << 20,
        env: { ...process.env, TSX_TSCONFIG_PATH: join(cwd, 'tsconfig.json') },
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const tsx = join(root, 'node_modules/tsx/dist/esm/index.mjs');

/** Runs TypeScript source as `node --import tsx file.ts` in `folder`. */
export function runScript(folder: string, name: string, source: string): Promise<Ran> {
  writeFileSync(join(folder, name), source);
  return spawn(process.execPath, ['--import', tsx, name], folder, 180_000);
}

/**
 * The commands of a ```sh block: continued lines joined, blank lines dropped, comments kept (bash
 * reads them).
 */
export function shellCommands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** Runs one README command line in bash, `npx mars-rec` being this repository's CLI (via tsx). */
export function runCommand(folder: string, line: string): Promise<Ran> {
  const cli = join(root, 'src/cli/main.ts');
  const script = `mars_rec() { "${process.execPath}" --import "${tsx}" "${cli}" "$@"; }\n${line.replace(
    /\bnpx mars-rec\b/g,
    'mars_rec',
  )}`;
  return spawn('bash', ['-c', script], folder, 180_000);
}
