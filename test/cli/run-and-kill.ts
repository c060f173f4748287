// Spawns a TypeScript child and kills it with SIGKILL at a chosen moment: the crash-safety tests.
import { spawn } from 'node:child_process';
import { repositoryRoot } from '../helpers/mars-rec-cli';

export { repositoryRoot };

/** How a child run ended. */
export interface Killed {
  /** Milliseconds from the start (or from the trigger) to the kill. */
  after: number;
  /** Whether the process had already exited by itself. */
  finished: boolean;
  /** Milliseconds from the trigger to the exit (NaN without a trigger seen). */
  triggerToExit: number;
  /** Everything it wrote to stdout and stderr. */
  output: string;
}

/**
 * Runs `node --import tsx args`; kills it with SIGKILL `delay` ms after `trigger` appears in its
 * output (after the start when no trigger is given). Resolves when it is gone; rejects when it
 * exits by itself with a non-zero code.
 */
export function runAndKill(args: string[], delay: number, trigger?: RegExp): Promise<Killed> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timer: NodeJS.Timeout | undefined;
    let output = '';
    let triggered = Number.NaN;
    const arm = (): void => {
      if (timer) return;
      triggered = performance.now();
      timer = setTimeout(() => child.kill('SIGKILL'), delay);
    };
    const watch = (chunk: Buffer): void => {
      output += chunk.toString();
      if (trigger?.test(output)) arm();
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    if (!trigger) arm();
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === null && code !== 0) fail(new Error(`child exited with ${code}: ${output}`));
      else
        done({
          after: delay,
          finished: signal === null,
          triggerToExit: performance.now() - triggered,
          output,
        });
    });
  });
}
