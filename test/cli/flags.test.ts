import { describe, expect, it } from 'vitest';
import {
  commandHelp,
  commandNames,
  commandSpecs,
  mainHelp,
  missingRequiredFlag,
  parseFlags,
  usageLines,
} from '../../src/cli/flags';
import { DEFAULT_MIN_USER_INTERACTIONS } from '../../src/cli/commands';
import { formatRecommendations } from '../../src/cli/output';
import { InteractionDataset, splitPerUser } from '../../src/data';
import { DEFAULT_MARS_CONFIG } from '../../src/model/config';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { DEFAULT_BATCH_SIZE, DEFAULT_SEED } from '../../src/training/defaults';
import { formatSeconds, ProgressReporter } from '../../src/cli/progress';
import type { ProgressStream } from '../../src/cli/progress';

describe('mars-rec flag table', () => {
  it.each(commandNames)('%s --help lists every flag with its description and default', (command) => {
    const help = commandHelp(command);
    expect(help.startsWith(`usage: mars-rec ${command} `)).toBe(true);
    for (const flag of commandSpecs[command].flags) {
      expect(help, flag.name).toContain(flag.name === flag.short ? `-${flag.short}` : `--${flag.name}`);
      // descriptions are wrapped: compare with whitespace collapsed
      const flat = help.replace(/\s+/g, ' ');
      expect(flat).toContain(flag.description.replace(/\s+/g, ' '));
      if (flag.default !== undefined) expect(flat).toContain(`(default: ${flag.default})`);
      if (flag.defaultText !== undefined) expect(flat).toContain(`(default: ${flag.defaultText})`);
      if (flag.required) expect(flat).toContain(`${flag.description.replace(/\s+/g, ' ')} (required)`);
    }
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(110);
  });

  it('every flag says what it does, and no command declares a flag twice', () => {
    for (const command of commandNames) {
      const names = commandSpecs[command].flags.map((flag) => flag.name);
      expect(new Set(names).size).toBe(names.length);
      for (const flag of commandSpecs[command].flags) expect(flag.description.length).toBeGreaterThan(8);
    }
  });

  it("parsing fills in the command's own defaults and leaves the library's to the library", () => {
    const values = parseFlags('train', ['--items', 'a.jsonl', '--batch-size', '64', '--json']);
    expect(values).toMatchObject({
      items: 'a.jsonl',
      'batch-size': '64',
      json: true,
      model: 'mars',
      backend: 'auto',
    });
    // absent: MarsModel.fit, MarsConfig and the split apply their defaults (and --config fields survive)
    for (const flag of [
      'steps',
      'seed',
      'max-history',
      'max-doc-length',
      'train-fraction',
      'min-user-interactions',
    ])
      expect(values[flag], flag).toBeUndefined();
    expect(parseFlags('recommend', ['--model', 'run', '-k', '5']).k).toBe('5');
    expect(parseFlags('recommend', ['--model', 'run']).k).toBe('10');
    expect(parseFlags('evaluate', ['--model', 'run']).split).toBe('test');
    expect(missingRequiredFlag('train', values)).toBe('interactions');
    expect(missingRequiredFlag('evaluate', parseFlags('evaluate', ['--model', 'run']))).toBeUndefined();
  });

  it("the help's library defaults are the library's", () => {
    const shown = (command: 'train', name: string): string | undefined =>
      commandSpecs[command].flags.find((flag) => flag.name === name)?.defaultText;
    expect(shown('train', 'batch-size')).toBe(String(DEFAULT_BATCH_SIZE));
    expect(shown('train', 'seed')).toBe(String(DEFAULT_SEED));
    expect(shown('train', 'max-history')).toBe(String(DEFAULT_MARS_CONFIG.maxHistory));
    expect(shown('train', 'max-doc-length')).toBe(String(DEFAULT_MARS_CONFIG.maxDocumentLength));
    expect(shown('train', 'min-user-interactions')).toBe(String(DEFAULT_MIN_USER_INTERACTIONS));
    const corpus = generateSyntheticCorpus({ seed: 1, itemCount: 20, userCount: 5, clicksPerUser: [10, 10] });
    const split = splitPerUser(InteractionDataset.build(corpus.items, corpus.interactions), { seed: 1 });
    // 10 items a user: n_train = floor(f x 10) with the split's default f
    expect(split.train.offsets[1] - split.train.offsets[0]).toBe(
      Math.floor(Number(shown('train', 'train-fraction')) * 10),
    );
  });

  it('refuses a flag of another command, in Node’s words', () => {
    expect(() => parseFlags('evaluate', ['--steps', '3'])).toThrow(/Unknown option '--steps'/);
    expect(() => parseFlags('recommend', ['--model'])).toThrow(/argument missing/);
  });

  it('the main help lists the commands, --help and --version; usage names the command', () => {
    const help = mainHelp('9.9.9');
    expect(help).toContain('mars-rec 9.9.9');
    for (const command of commandNames) expect(help).toContain(`  ${command} `);
    expect(help).toMatch(/-v, --version/);
    expect(usageLines('evaluate')).toBe(
      "usage: mars-rec evaluate --model DIR [options]\nRun 'mars-rec evaluate --help' for the options and their defaults.",
    );
  });
});

describe('CLI output', () => {
  it('recommendations print as a table with a header, titles when known, and attention', () => {
    const table = formatRecommendations([
      { id: '356', score: 2.5, title: 'Forrest Gump', attention: [{ id: '1', weight: 0.75 }] },
      { id: '7', score: 0.125 },
    ]).split('\n');
    expect(table[0].split(/\s+/)).toEqual(['rank', 'id', 'score', 'title', 'attention']);
    expect(table[1].split(/\s{2,}/)).toEqual(['1', '356', '2.5000', 'Forrest Gump', '1:0.75']);
    expect(table[2].split(/\s{2,}/)).toEqual(['2', '7', '0.1250']);
    expect(
      formatRecommendations([{ id: 'a', score: 1 }])
        .split('\n')[0]
        .split(/\s+/),
    ).toEqual(['rank', 'id', 'score']);
  });
});

/** `text` as a regular expression matching it literally. */
function escape(text: string): string {
  return text.replace(/[[\]\\^$.|?*+(){}]/g, '\\$&');
}

/** A stream that records what was written, as a terminal (isTTY) or a pipe. */
function recorder(isTTY: boolean): ProgressStream & { text: string } {
  return {
    isTTY,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe('ProgressReporter', () => {
  const step = (n: number, seconds: number) => ({
    step: n,
    totalSteps: 4,
    loss: 0.5,
    tripletsPerSecond: 100,
    elapsedSeconds: seconds,
  });

  it('on a terminal, a log line clears the bar, stands on its own line, and the bar is redrawn', () => {
    const stream = recorder(true);
    const progress = new ProgressReporter(stream);
    progress.update(step(1, 1));
    progress.log('validation at step 1: recall@50 0.1000');
    progress.update(step(4, 4));
    // what a terminal shows: \r returns to the line start, \x1b[K erases to its end
    const screen: string[] = [''];
    const eraseLine = '\x1b[K';
    for (const part of stream.text.split(new RegExp(`(\r|\n|${escape(eraseLine)})`))) {
      if (part === '\r') screen[screen.length - 1] = '';
      else if (part === '\n') screen.push('');
      else if (part !== eraseLine) screen[screen.length - 1] += part;
    }
    expect(screen[0]).toBe('validation at step 1: recall@50 0.1000');
    expect(screen[1]).toMatch(/^\[#{24}\] step 4\/4 {2}loss 0\.5000/);
    expect(screen[2]).toBe('');
  });

  it('in a log, prints the first update, then about every logEverySeconds, and the last', () => {
    const stream = recorder(false);
    const progress = new ProgressReporter(stream, 10);
    for (const [n, seconds] of [
      [1, 0.5],
      [2, 5],
      [3, 12],
    ])
      progress.update({ ...step(n, seconds), totalSteps: 5 });
    progress.advance({ done: 5, total: 5, unit: 'users', elapsedSeconds: 13 }, 'evaluating');
    expect(stream.text.split('\n').filter((line) => line !== '')).toEqual([
      'step 1/5  loss 0.5000  100.0 triplets/s  ETA 2s',
      'step 3/5  loss 0.5000  100.0 triplets/s  ETA 8s',
      'evaluating 5/5 users  13s  ETA 0s',
    ]);
  });

  it('formats durations', () => {
    expect([formatSeconds(75), formatSeconds(9.6), formatSeconds(Number.NaN)]).toEqual(['1m15s', '10s', '?']);
  });
});
