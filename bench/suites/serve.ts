// `npm run bench -- serve`: the HTTP service under load and faults, localhost only, bounded in
// requests and time. A `mars-rec serve` child process serves a MARS run of 20k items; autocannon
// (16 connections) measures requests/s and latency, then again while a fault injector sends
// malformed, huge, slow and aborted requests; a soak of 100k requests (a 2k-item run, the same
// code path, so it fits in minutes) watches RSS and tensors. Counts and times: MARS_SERVE_SOAK
// (requests, default 100,000), MARS_SERVE_SECONDS (per load run, default 20 s). Backend: wasm
// (what --backend auto picks on a machine without a GPU).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { trainCommand } from '../../src/cli/commands';
import { readRunDirectory } from '../../src/cli/run-directory';
import { interactionsCsvLines, itemsJsonlLines } from '../../src/data/format-lines';
import { generateSyntheticCorpus } from '../../src/synthetic';
import type { BenchRow } from '../types';

const soakRequests = Number(process.env.MARS_SERVE_SOAK ?? 100_000);
const loadSeconds = Number(process.env.MARS_SERVE_SECONDS ?? 20);
const connections = 16;

interface Run {
  directory: string;
  histories: string[][];
}

/** A MARS run directory of `itemCount` synthetic items, trained a few steps (scoring cost does not depend on training). */
async function makeRun(folder: string, itemCount: number): Promise<Run> {
  const corpus = generateSyntheticCorpus({
    seed: 7,
    itemCount,
    userCount: Math.max(500, itemCount / 10),
    clicksPerUser: [8, 30],
    wordsPerItem: [20, 50],
  });
  const items = join(folder, `items-${itemCount}.jsonl`);
  const interactions = join(folder, `interactions-${itemCount}.csv`);
  writeFileSync(items, [...itemsJsonlLines(corpus.items.map(({ id, text }) => ({ id, text })))].join('\n'));
  writeFileSync(interactions, [...interactionsCsvLines(corpus.interactions)].join('\n'));
  const directory = join(folder, `run-${itemCount}`);
  await trainCommand({
    items,
    interactions,
    out: directory,
    model: 'mars',
    minUserInteractions: 3,
    trainFraction: 0.5,
    seed: 1,
    steps: 2,
    batchSize: 64,
    maxHistory: 50,
    maxDocLength: 100,
    backend: 'wasm',
    json: true,
    quiet: true,
  });
  const { split } = await readRunDirectory(directory); // split.bin, checked against run.json
  return { directory, histories: split.userIds.map((_, user) => split.historyOf(user, 'train')) };
}

interface Server {
  url: string;
  child: ChildProcess;
  stop: () => Promise<number | null>;
}

async function startServe(directory: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'serve',
      '--model',
      directory,
      '--port',
      '0',
      '--quiet',
      '--backend',
      'wasm',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('serve did not start within 120 s')), 120_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'serving') {
        clearTimeout(timer);
        ready(entry.url as string);
      }
    });
    void exited.then((code) => fail(new Error(`serve exited with ${code}`)));
  }).catch((error: unknown) => {
    child.kill('SIGTERM');
    throw error;
  });
  return { url, child, stop: () => (child.kill('SIGTERM'), exited) };
}

async function memoryOf(
  url: string,
): Promise<{ rssBytes: number; tensors: number; batches: number; queries: number }> {
  const info = (await (await fetch(`${url}/info`)).json()) as {
    memory: { rssBytes: number; tensors: number };
    batching: { batches: number; queries: number };
  };
  return { ...info.memory, ...info.batching };
}

function recommendBodies(histories: string[][]): (request: autocannon.Request) => autocannon.Request {
  let next = 0;
  return (request) => {
    const history = histories[next++ % histories.length];
    return { ...request, body: JSON.stringify({ history, k: 10 }) };
  };
}

async function load(
  url: string,
  histories: string[][],
  limit: { seconds?: number; amount?: number },
): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration: limit.seconds ?? 600,
    ...(limit.amount ? { amount: limit.amount } : {}),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/recommend',
        headers: { 'content-type': 'application/json' },
        setupRequest: recommendBodies(histories),
      },
    ],
  });
}

interface FaultCounts {
  sent: number;
  /** Answers with the status each fault should get (400, 413, 408) or a closed socket for aborts. */
  asExpected: number;
  unexpected: string[];
}

/** Sends malformed, huge, slow and aborted requests in a loop until `until` resolves. */
async function injectFaults(url: string, until: Promise<unknown>): Promise<FaultCounts> {
  const { port } = new URL(url);
  const counts: FaultCounts = { sent: 0, asExpected: 0, unexpected: [] };
  let done = false;
  void until.then(() => (done = true));
  const post = async (body: string | Blob, expected: number, what: string): Promise<void> => {
    counts.sent++;
    try {
      const response = await fetch(`${url}/recommend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      if (response.status === expected) counts.asExpected++;
      else counts.unexpected.push(`${what}: ${response.status}`);
    } catch (error) {
      // a server may close the connection on a body over the limit before reading it
      if (expected === 413) counts.asExpected++;
      else counts.unexpected.push(`${what}: ${(error as Error).message}`);
    }
  };
  /** A client that sends headers and part of the body, then either stalls (slow) or hangs up (abort). */
  const partial = (stall: boolean): Promise<void> =>
    new Promise((finished) => {
      counts.sent++;
      const socket = connect(Number(port), '127.0.0.1');
      socket.write(
        `POST /recommend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"history": ["`,
      );
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      if (!stall) {
        setTimeout(() => {
          socket.destroy();
          counts.asExpected++;
          finished();
        }, 20);
        return;
      }
      // the server's request timeout (10 s) answers 408 and closes
      socket.on('close', () => {
        if (/^HTTP\/1\.1 408/.test(answer) || answer === '') counts.asExpected++;
        else counts.unexpected.push(`slow client: ${answer.slice(0, 40)}`);
        finished();
      });
      const trickle = setInterval(() => (done ? clearInterval(trickle) : socket.write('x')), 1000);
      socket.on('close', () => clearInterval(trickle));
    });
  const slowClients: Promise<void>[] = [];
  while (!done) {
    if (slowClients.length < 4) slowClients.push(partial(true));
    await Promise.all([
      post('{"history": [', 400, 'truncated JSON'),
      post('{"history": ["a"], "k": "ten"}', 400, 'k as a string'),
      post(JSON.stringify({ history: 'n1' }), 400, 'history as a string'),
      post(new Blob([new Uint8Array([0xff, 0xfe, 0x00, 0x7b])]), 400, 'binary garbage'),
      post(JSON.stringify({ history: ['x'.repeat(2 * 1024 * 1024)] }), 413, 'a 2 MiB body'),
      partial(false),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(slowClients);
  return counts;
}

const mb = (bytes: number): number => bytes / (1024 * 1024);

export default async function serveSuite(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'mars-bench-serve-'));
  const note = 'localhost, one mars-rec serve process; the 2-core machine was shared with other jobs';
  try {
    console.error('bench serve: building a 20k-item MARS run ...');
    const large = await makeRun(folder, 20_000);
    const server = await startServe(large.directory);
    try {
      await load(server.url, large.histories, { amount: 200 }); // warm-up: item vectors, JIT
      const before = await memoryOf(server.url);
      const clean = await load(server.url, large.histories, { seconds: loadSeconds });
      const between = await memoryOf(server.url);
      const faulted = (async () => {
        const result = load(server.url, large.histories, { seconds: loadSeconds });
        const faults = await injectFaults(server.url, result);
        return { result: await result, faults };
      })();
      const { result: underFaults, faults } = await faulted;
      const after = await memoryOf(server.url);
      const base = `20k items, ${connections} connections, k 10, histories of 4-15 items`;
      rows.push(
        {
          suite: 'serve',
          name: 'requests/s (20k items, 16 clients)',
          value: clean.requests.average,
          unit: 'req/s',
          notes: `${base}; ${note}`,
        },
        { suite: 'serve', name: 'latency p50', value: clean.latency.p50, unit: 'ms', notes: base },
        { suite: 'serve', name: 'latency p99', value: clean.latency.p99, unit: 'ms', notes: base },
        {
          suite: 'serve',
          name: 'mean batch (requests per model call)',
          value: (between.queries - before.queries) / Math.max(1, between.batches - before.batches),
          unit: 'requests',
          notes: 'during the clean load run',
        },
        {
          suite: 'serve',
          name: 'non-2xx or errors, clean run',
          value: clean.non2xx + clean.errors + clean.timeouts,
          unit: 'responses',
          target: '0',
          pass: clean.non2xx + clean.errors + clean.timeouts === 0,
          notes: `${clean.requests.total} requests`,
        },
        {
          suite: 'serve',
          name: 'requests/s under faults',
          value: underFaults.requests.average,
          unit: 'req/s',
          notes: `${faults.sent} faulty requests alongside`,
        },
        { suite: 'serve', name: 'latency p99 under faults', value: underFaults.latency.p99, unit: 'ms' },
        {
          suite: 'serve',
          name: 'non-2xx or errors of good requests under faults',
          value: underFaults.non2xx + underFaults.errors + underFaults.timeouts,
          unit: 'responses',
          target: '0',
          pass: underFaults.non2xx + underFaults.errors + underFaults.timeouts === 0,
          notes: `${underFaults.requests.total} requests`,
        },
        {
          suite: 'serve',
          name: 'faulty requests answered as expected (400/413/408/closed)',
          value: faults.asExpected / Math.max(1, faults.sent),
          unit: 'share',
          target: '1',
          pass: faults.unexpected.length === 0,
          notes: `${faults.sent} sent (truncated JSON, wrong types, binary, 2 MiB bodies, slow and aborted clients)${faults.unexpected.length ? `; unexpected: ${[...new Set(faults.unexpected)].slice(0, 3).join('; ')}` : ''}`,
        },
        {
          suite: 'serve',
          name: 'RSS before / after the 20k runs',
          value: mb(after.rssBytes),
          unit: 'MiB',
          notes: `before ${mb(before.rssBytes).toFixed(1)} MiB; tensors ${before.tensors} -> ${after.tensors}`,
        },
      );
    } finally {
      await server.stop();
    }

    console.error(`bench serve: soak of ${soakRequests} requests on a 2k-item MARS run ...`);
    const small = await makeRun(folder, 2000);
    const soakServer = await startServe(small.directory);
    try {
      await load(soakServer.url, small.histories, { amount: Math.min(10_000, soakRequests / 10) });
      const warm = await memoryOf(soakServer.url);
      const soak = await load(soakServer.url, small.histories, { amount: soakRequests, seconds: 900 });
      const end = await memoryOf(soakServer.url);
      rows.push(
        {
          suite: 'serve',
          name: `soak: ${soak.requests.total} requests, RSS growth`,
          value: mb(end.rssBytes - warm.rssBytes),
          unit: 'MiB',
          target: '< 32',
          pass: end.rssBytes - warm.rssBytes < 32 * 1024 * 1024,
          notes: `RSS ${mb(warm.rssBytes).toFixed(1)} -> ${mb(end.rssBytes).toFixed(1)} MiB after a warm-up; ${soak.requests.average.toFixed(0)} req/s, p99 ${soak.latency.p99} ms (2k items)`,
        },
        {
          suite: 'serve',
          name: 'soak: tensor growth',
          value: end.tensors - warm.tensors,
          unit: 'tensors',
          target: '0',
          pass: end.tensors === warm.tensors,
          notes: `${warm.tensors} -> ${end.tensors}; non-2xx/errors ${soak.non2xx + soak.errors + soak.timeouts}`,
        },
      );
    } finally {
      await soakServer.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return rows;
}
