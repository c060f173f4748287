// `npm run bench [-- suite ...]`: runs the benchmark suites in bench/suites/, prints a table and
// writes bench/results/latest.json. Run with nothing else busy: these machines have 2 cores.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow, BenchSuite } from './types';

const benchFolder = dirname(fileURLToPath(import.meta.url));
const suiteFolder = join(benchFolder, 'suites');
const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
const available = readdirSync(suiteFolder)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => basename(name, '.ts'))
  .sort();
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown suite(s) ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = requested.length > 0 ? requested : available;

const rows: BenchRow[] = [];
for (const name of selected) {
  const module = (await import(pathToFileURL(join(suiteFolder, `${name}.ts`)).href)) as {
    default: BenchSuite;
  };
  console.error(`bench: running ${name} ...`);
  const started = performance.now();
  const suiteRows = await module.default();
  console.error(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  rows.push(...suiteRows);
}

const format = (value: number): string =>
  Math.abs(value) >= 1e5 || (Math.abs(value) < 1e-2 && value !== 0)
    ? value.toExponential(3)
    : value.toFixed(3);
console.log(
  `\nmars-rec benchmarks (${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version})\n`,
);
console.log('| suite | measurement | value | unit | target | met | notes |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) {
  const met = row.pass === undefined ? '' : row.pass ? 'yes' : 'NO';
  console.log(
    `| ${row.suite} | ${row.name} | ${format(row.value)} | ${row.unit} | ${row.target ?? ''} | ${met} | ${row.notes ?? ''} |`,
  );
}
mkdirSync(join(benchFolder, 'results'), { recursive: true });
const resultPath = join(benchFolder, 'results', 'latest.json');
writeFileSync(
  resultPath,
  JSON.stringify(
    { date: new Date().toISOString(), cores: cpus().length, node: process.version, rows },
    null,
    2,
  ),
);
console.log(`\nwritten: ${resultPath}`);
