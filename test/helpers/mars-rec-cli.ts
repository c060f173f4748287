import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root: the CLI runs there, so `tsx` resolves. */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The `mars-rec` command's entry, run from source. */
export const cliEntry = join(repositoryRoot, 'src/cli/main.ts');

/**
 * What no command may print: TF.js's banner advising tfjs-node, and Dawn's native warnings
 * (`Warning: Couldn't load Vulkan: ...` with a C++ source location). The backend line may name
 * Dawn and Vulkan in its own words when it says why WebGPU was skipped.
 */
export const noise = /install our node backend|^={10,}$|^Warning: |BackendVk|\.cpp:\d+|artificially reduced/m;

/** How a `mars-rec` run ended. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

const execFileAsync = promisify(execFile);

/**
 * Runs `mars-rec args` from source (`node --import tsx src/cli/main.ts`) in the repository root,
 * for at most 2 minutes; resolves with its exit code and output whether it succeeded or not.
 */
export async function marsRec(args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
      cwd: repositoryRoot,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliRun;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
