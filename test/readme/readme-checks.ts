// The checks shared by the README tests: run the quick start and every command line of the README
// in a folder holding a data set, and check what each printed and wrote.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { UserSplit } from '../../src/data/split';
import {
  noise,
  README_TEST_STEPS,
  readmeBlock,
  runCommand,
  runScript,
  shellCommands,
  withTestSteps,
} from './readme-runner';

/** What the quick start's epilogue prints: the values the README block computed. */
interface QuickStartOutput {
  mean: Record<string, number>;
  top: { id: string; score: number }[];
  why: { item: string; history: { id: string; weight: number }[] };
  history: string[];
}

/** Runs README's library quick start in `folder` (items.jsonl, interactions.csv) and checks it. */
export async function checkQuickStart(folder: string, itemIds: ReadonlySet<string>): Promise<void> {
  const block = withTestSteps(
    readmeBlock('## Quick start (library)', 'ts'),
    /\bsteps: 2000\b/,
    `steps: ${README_TEST_STEPS}`,
  );
  // an epilogue after the README's code prints what it computed, for the checks below
  const epilogue = `\nconsole.log('README-RESULT ' + JSON.stringify({ mean: evaluation.mean, top, why, history }));\n`;
  const ran = await runScript(folder, 'quick-start.ts', block + epilogue);
  expect(ran.code, `quick start failed:\n${ran.stderr}`).toBe(0);
  expect(ran.stderr).not.toMatch(noise);
  expect(ran.stdout).not.toMatch(noise);
  const line = ran.stdout.split('\n').find((text) => text.startsWith('README-RESULT '));
  const result = JSON.parse((line as string).slice('README-RESULT '.length)) as QuickStartOutput;
  for (const id of result.history)
    expect(itemIds.has(id), `history id '${id}' is an item of the data`).toBe(true);
  expect(ran.stdout).toMatch(/^metric +mean +± s\.e\. +users$/m); // formatMetricsTable
  expect(ran.stdout).toMatch(/trained the \d+ steps asked: .*best step \d+/m); // fit.summary
  expect(ran.stderr).toMatch(/^fit: /m); // verbose: progress on stderr
  for (const [name, value] of Object.entries(result.mean)) {
    expect(value, name).toBeGreaterThanOrEqual(0);
    expect(value, name).toBeLessThanOrEqual(1);
  }
  expect(result.top).toHaveLength(10);
  for (const { id } of result.top) {
    expect(itemIds.has(id)).toBe(true);
    expect(result.history).not.toContain(id);
  }
  expect(result.why.item).toBe(result.top[0].id);
  expect(result.why.history.map((h) => h.id)).toEqual(result.history);
  expect(result.why.history.reduce((sum, h) => sum + h.weight, 0)).toBeCloseTo(1, 5);
  expect(existsSync(join(folder, 'my-model', 'model.json'))).toBe(true);
}

/**
 * Runs every command line of README's "Command line" block in `folder`, in order, and checks
 * each: exit code 0, no native noise, and what the command promises.
 */
export async function checkCommandLine(folder: string, options: { titles: boolean }): Promise<void> {
  const block = withTestSteps(
    readmeBlock('## Command line', 'sh'),
    /--steps 2000\b/,
    `--steps ${README_TEST_STEPS}`,
  );
  const commands = shellCommands(block);
  expect(commands.length).toBeGreaterThanOrEqual(5);
  for (const command of commands) {
    const ran = await runCommand(folder, command);
    expect(ran.code, `${command}\n${ran.stderr}`).toBe(0);
    expect(ran.stderr, command).not.toMatch(noise);
    expect(ran.stdout.trim(), command).not.toBe('');
    const out = /--out (\S+)/.exec(command)?.[1];
    if (/ train /.test(command) && out) {
      expect(existsSync(join(folder, out, 'run.json')), command).toBe(true);
      expect(ran.stderr, command).toMatch(/^data: \d+ users/m);
    }
    if (/ evaluate /.test(command)) expect(ran.stdout).toMatch(/^recall@50 +\d\.\d{4}/m);
    if (/ recommend .*(--history|--user)/.test(command)) {
      const [header, ...rows] = ran.stdout.trim().split('\n');
      expect(header.split(/\s+/).slice(0, 3)).toEqual(['rank', 'id', 'score']);
      if (options.titles) expect(header.split(/\s+/)).toContain('title');
      const k = Number(/-k (\d+)/.exec(command)?.[1] ?? 10);
      expect(rows, command).toHaveLength(k);
    }
    if (/--all-users/.test(command) && out) {
      const lines = readFileSync(join(folder, out), 'utf8').trim().split('\n');
      const split = await UserSplit.load(join(folder, 'run1', 'split.bin'));
      expect(lines).toHaveLength(split.userIds.length);
    }
    if (/--help/.test(command)) expect(ran.stdout).toMatch(/^usage: mars-rec /);
  }
}
