// The mars-rec command line's flags, declared once: parsing, `--help`, the usage lines and the
// defaults all read this table, so a flag cannot be parsed without being documented.
import { parseArgs } from 'node:util';

/** The commands of `mars-rec`. */
export type CommandName = 'train' | 'evaluate' | 'recommend' | 'index' | 'serve' | 'info';

/** One flag of a command. */
export interface FlagSpec {
  /** Long name without the dashes, e.g. `'min-rating'`. */
  name: string;
  /** One-letter alias, e.g. `'k'` for `-k`. */
  short?: string;
  /** `'string'` flags take a value; `'boolean'` flags are switches. */
  type: 'string' | 'boolean';
  /** Placeholder of the value in the help, e.g. `FILE`. */
  value?: string;
  /** What the flag does, one sentence. */
  description: string;
  /** The command's own default, as typed on the command line; parsing fills it in when the flag is absent. */
  default?: string;
  /**
   * The default the library applies when the flag is absent (the flag then stays undefined, so
   * `--config` fields are not overwritten), or a rule in words; shown in the help only.
   */
  defaultText?: string;
  /** Whether the command refuses to run without it. */
  required?: boolean;
}

/** One command: what it does, its flags, and examples for its help. */
export interface CommandSpec {
  /** One line: what the command does. */
  summary: string;
  /** The shape of a call, after `mars-rec <command>`. */
  synopsis: string;
  /** Further lines of explanation for the help. */
  notes?: string[];
  /** The command's flags (every command also takes `--help`). */
  flags: FlagSpec[];
  /** Example calls, shown in the help. */
  examples: string[];
}

const backend: FlagSpec = {
  name: 'backend',
  type: 'string',
  value: 'NAME',
  description:
    'TensorFlow.js backend: auto, cpu, wasm, webgpu or tensorflow; auto picks the fastest that starts ' +
    '(tensorflow, a hardware WebGPU adapter, wasm, cpu)',
  default: 'auto',
};

const json: FlagSpec = {
  name: 'json',
  type: 'boolean',
  description: 'print the result as JSON on stdout; progress still goes to stderr',
};

const help: FlagSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show this help' };

const quiet: FlagSpec = {
  name: 'quiet',
  type: 'boolean',
  description: 'print only errors and the result (serve: lifecycle lines, no per-request lines)',
};

const verbose: FlagSpec = {
  name: 'verbose',
  type: 'boolean',
  description: 'print more: every validation metric and each epoch’s loss (serve: request details)',
};

const runModel: FlagSpec = {
  name: 'model',
  type: 'string',
  value: 'DIR',
  required: true,
  description: "a directory written by 'mars-rec train'",
};

/** Every command's flags and help text. */
export const commandSpecs: Readonly<Record<CommandName, CommandSpec>> = {
  train: {
    summary: 'load items and interactions, split them per user, train a model, and save the run',
    synopsis: '--items FILE --interactions FILE --out DIR [options]',
    notes: [
      'Writes into --out, atomically (the previous run stays until the new one is complete): the model',
      "(model/, baseline.json or baseline.bin), the exact split (split.bin), item titles and the run's",
      'options with checksums (run.json); evaluate and recommend read them back. Files may be .parquet',
      'or Arrow IPC (.arrow, .feather).',
    ],
    flags: [
      {
        name: 'items',
        type: 'string',
        value: 'FILE',
        required: true,
        description:
          'items.jsonl: one JSON object a line with a string "id" and "text" (and optionally "title")',
      },
      {
        name: 'interactions',
        type: 'string',
        value: 'FILE',
        required: true,
        description:
          'interactions.csv with the header user,item,rating,timestamp (rating, timestamp optional); or .parquet, .arrow',
      },
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        required: true,
        description: 'directory to write the run into (created if missing; a previous run there is replaced)',
      },
      {
        name: 'overwrite',
        type: 'boolean',
        description: 'replace --out even when it is a non-empty directory that is not a mars-rec run',
      },
      {
        name: 'token-cache',
        type: 'string',
        value: 'FILE',
        description:
          "where the items' tokens are cached across runs (invalidated by the file's content hash); off for none",
        defaultText: "a file in the user's cache folder",
      },
      {
        name: 'model',
        type: 'string',
        value: 'KIND',
        description: 'mars, or a baseline on the same split: bpr-mf or popularity',
        default: 'mars',
      },
      {
        name: 'min-rating',
        type: 'string',
        value: 'R',
        description: 'keep only interactions rated at least R as positives',
        defaultText: 'keep every interaction',
      },
      {
        name: 'min-user-interactions',
        type: 'string',
        value: 'N',
        description: 'drop users with fewer than N positives',
        defaultText: '3',
      },
      {
        name: 'train-fraction',
        type: 'string',
        value: 'F',
        description:
          "share of each user's positives to train on; the rest is halved into validation and test",
        defaultText: '0.3',
      },
      {
        name: 'seed',
        type: 'string',
        value: 'S',
        description: 'seed of the split, sampling and initialisation',
        defaultText: '1',
      },
      {
        name: 'steps',
        type: 'string',
        value: 'N',
        description: 'MARS: training steps of --batch-size triplets',
        defaultText:
          'until validation stops improving (validated every pass, patience 8 validations, at most 20 passes over the training positives)',
      },
      {
        name: 'epochs',
        type: 'string',
        value: 'N',
        description:
          'MARS: epochs of 10% of the training positives each (instead of --steps); bpr-mf: passes over the positives',
        defaultText: 'MARS: as --steps; bpr-mf: chosen on validation with its L2',
      },
      {
        name: 'batch-size',
        type: 'string',
        value: 'B',
        description: 'MARS: triplets per step',
        defaultText: '128',
      },
      {
        name: 'learning-rate',
        type: 'string',
        value: 'LR',
        description: 'MARS: learning rate of Adam',
        defaultText: '0.002 x batch size / 512 (twice the report’s rule)',
      },
      {
        name: 'max-history',
        type: 'string',
        value: 'H',
        description: 'MARS: history items kept per user (the most recent)',
        defaultText: '50',
      },
      {
        name: 'max-doc-length',
        type: 'string',
        value: 'L',
        description: 'MARS: tokens kept per item text, after stopword removal',
        defaultText: '300',
      },
      {
        name: 'config',
        type: 'string',
        value: 'JSON',
        description: `MARS: further MarsConfig fields as a JSON object, e.g. '{"itemBias":true,"collaborativeFactors":0}'`,
      },
      backend,
      json,
      quiet,
      verbose,
      help,
    ],
    examples: [
      'mars-rec train --items items.jsonl --interactions interactions.csv --out run1 --min-rating 4 --steps 2000',
      'mars-rec train --items items.jsonl --interactions interactions.csv --out run2 --model bpr-mf',
    ],
  },
  evaluate: {
    summary: "rank every item for each user of a run's split and report the mean metrics",
    synopsis: '--model DIR [options]',
    notes: ["Each user's training items form the history and are never ranked (docs/metrics.md)."],
    flags: [
      {
        name: 'model',
        type: 'string',
        value: 'DIR',
        required: true,
        description: "a directory written by 'mars-rec train'",
      },
      {
        name: 'split',
        type: 'string',
        value: 'NAME',
        description: 'the held-out positives to rank: test or validation',
        default: 'test',
      },
      {
        name: 'sample-users',
        type: 'string',
        value: 'N',
        description: 'evaluate a seeded sample of N users, with standard errors (for very many users)',
        defaultText: 'every user with a held-out positive',
      },
      {
        name: 'seed',
        type: 'string',
        value: 'S',
        description: 'seed of --sample-users',
        defaultText: '1',
      },
      backend,
      json,
      help,
    ],
    examples: ['mars-rec evaluate --model run1', 'mars-rec evaluate --model run1 --split validation --json'],
  },
  recommend: {
    summary: 'top-k items for a history of item ids, for a user of the split, or for every user',
    synopsis: '--model DIR (--history ID,ID,... | --user ID | --all-users --out FILE) [options]',
    notes: [
      'Prints one line per item: rank, id, score, and the title when items.jsonl had a "title".',
      '--all-users writes one JSON object a line, {"user","items":[{"id","score"}...]}, to FILE.tmp',
      'and renames it to FILE when complete.',
    ],
    flags: [
      {
        name: 'model',
        type: 'string',
        value: 'DIR',
        required: true,
        description: "a directory written by 'mars-rec train'",
      },
      {
        name: 'history',
        type: 'string',
        value: 'IDS',
        description: 'item ids the user liked, oldest first, comma-separated (any catalogue items)',
      },
      {
        name: 'user',
        type: 'string',
        value: 'ID',
        description:
          "a user of the run's split: their training history (unless --history is given) and their learned user term",
      },
      {
        name: 'all-users',
        type: 'boolean',
        description: "top-k for every user of the run's split from their training history, written to --out",
      },
      {
        name: 'out',
        type: 'string',
        value: 'FILE',
        description: 'with --all-users: the JSON-lines file to write',
      },
      {
        name: 'k',
        short: 'k',
        type: 'string',
        value: 'K',
        description: 'how many items to recommend (items of the history are never recommended)',
        default: '10',
      },
      {
        name: 'explain',
        type: 'boolean',
        description:
          'MARS: add the attention weight of each history item for each recommendation, and a note when the weights are near uniform (each within 25% of 1/n)',
      },
      {
        name: 'search',
        type: 'string',
        value: 'MODE',
        description:
          "MARS: exact (pruned top-k through the run's index, identical to brute force), approximate " +
          '(a fixed candidate budget from the index) or brute-force (score every item)',
        defaultText: "exact when 'mars-rec index' built an index, else brute-force",
      },
      {
        name: 'candidates',
        type: 'string',
        value: 'N',
        description: 'with --search approximate: how many candidates the index returns to be scored exactly',
        defaultText: '300 (with 32 cells of the partition scan probed)',
      },
      backend,
      json,
      help,
    ],
    examples: [
      'mars-rec recommend --model run1 --history 1,34,48 -k 10 --explain',
      'mars-rec recommend --model run1 --user 42 -k 10',
      'mars-rec recommend --model run1 --all-users -k 20 --out recs.jsonl',
    ],
  },
  index: {
    summary: 'build or update the catalogue index of a MARS run, for fast top-k over large catalogues',
    synopsis: '--model DIR [--engine NAME] [--add ITEMS.jsonl] [--remove ID,ID,...]',
    notes: [
      "Builds DIR/index from the model's item vectors; recommend then searches it (exact by default).",
      '--add and --remove update it without retraining: new or edited items get vectors from their text.',
      'Written crash-safely: a new generation, then an atomic switch.',
    ],
    flags: [
      {
        name: 'model',
        type: 'string',
        value: 'DIR',
        required: true,
        description: "a directory written by 'mars-rec train' (--model mars)",
      },
      {
        name: 'engine',
        type: 'string',
        value: 'NAME',
        description: 'usearch (HNSW and exact SIMD scans; the optional package usearch) or brute-force',
        defaultText: 'usearch (the optional package: npm install usearch)',
      },
      {
        name: 'add',
        type: 'string',
        value: 'FILE',
        description: 'items.jsonl of items to add or update ({"id","text"} a line)',
      },
      {
        name: 'remove',
        type: 'string',
        value: 'IDS',
        description: 'comma-separated item ids to remove from the index',
      },
      backend,
      json,
      help,
    ],
    examples: [
      'mars-rec index --model run1',
      'mars-rec index --model run1 --add new-items.jsonl --remove 17,42',
    ],
  },
  serve: {
    summary:
      'serve recommendations of a run over HTTP (POST /recommend, POST /explain, GET /health, GET /info)',
    synopsis: '--model DIR [--port 8080] [--host 127.0.0.1] [options]',
    notes: [
      'Loads the run once; concurrent requests are scored together; SIGTERM/SIGINT drain and exit.',
      'Logs are JSON lines on stdout. Needs the optional package fastify (npm install fastify).',
    ],
    flags: [
      runModel,
      {
        name: 'port',
        type: 'string',
        value: 'PORT',
        description: 'TCP port (0: any free port)',
        default: '8080',
      },
      {
        name: 'host',
        type: 'string',
        value: 'HOST',
        description: 'address to listen on (0.0.0.0 for every interface)',
        default: '127.0.0.1',
      },
      backend,
      quiet,
      verbose,
      help,
    ],
    examples: ['mars-rec serve --model run1 --port 8080'],
  },
  info: {
    summary: 'describe a run: config, data, how training ended, metrics and the learning curve',
    synopsis: '--model DIR [--json]',
    flags: [runModel, json, help],
    examples: ['mars-rec info --model run1', 'mars-rec info --model run1 --json'],
  },
};

/** The command names, in the order the help lists them. */
export const commandNames = Object.keys(commandSpecs) as CommandName[];

/** Whether `name` is a command of `mars-rec`. */
export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandSpecs, name);
}

/** The values of a command's flags: strings (defaults filled in) and switches. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * Parses a command's arguments against its flag table; flags absent from the command line get
 * their default.
 * @throws Error with Node's wording for an unknown flag, a missing value or a stray argument.
 */
export function parseFlags(command: CommandName, args: readonly string[]): FlagValues {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; default?: string }> = {};
  for (const flag of commandSpecs[command].flags) {
    options[flag.name] = {
      type: flag.type,
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.default !== undefined ? { default: flag.default } : {}),
    };
  }
  return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
}

/** The first required flag of `command` that `values` lacks, if any. */
export function missingRequiredFlag(command: CommandName, values: FlagValues): string | undefined {
  return commandSpecs[command].flags.find(
    (flag) => flag.required && (values[flag.name] === undefined || values[flag.name] === ''),
  )?.name;
}

function flagLabel(flag: FlagSpec): string {
  const value = flag.value ? ` ${flag.value}` : '';
  if (flag.short === flag.name) return `-${flag.short}${value}`;
  return `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${value}`;
}

function flagDefault(flag: FlagSpec): string {
  if (flag.required) return ' (required)';
  if (flag.default !== undefined) return ` (default: ${flag.default})`;
  if (flag.defaultText !== undefined) return ` (default: ${flag.defaultText})`;
  return '';
}

/** `mars-rec <command> --help`: what the command does, every flag with its default, and examples. */
export function commandHelp(command: CommandName): string {
  const spec = commandSpecs[command];
  const labels = spec.flags.map(flagLabel);
  const width = Math.min(28, Math.max(...labels.map((label) => label.length)) + 2);
  const lines = [`usage: mars-rec ${command} ${spec.synopsis}`, '', `${capitalise(spec.summary)}.`];
  if (spec.notes) lines.push(...spec.notes);
  lines.push('', 'options:');
  spec.flags.forEach((flag, index) => {
    const label = labels[index];
    const text = wrap(`${flag.description}${flagDefault(flag)}`, HELP_WIDTH - 2 - width);
    const first =
      label.length + 2 > width
        ? [`  ${label}`, `  ${' '.repeat(width)}${text[0]}`]
        : [`  ${label.padEnd(width)}${text[0]}`];
    lines.push(...first, ...text.slice(1).map((rest) => `  ${' '.repeat(width)}${rest}`));
  });
  lines.push('', 'examples:', ...spec.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}

/** `mars-rec --help`: the commands, one line each, and where to read more. */
export function mainHelp(version: string): string {
  const width = Math.max(...commandNames.map((name) => name.length)) + 2;
  return [
    `mars-rec ${version}: MARS (Memory Attention-Aware Recommender) on TensorFlow.js`,
    '',
    'usage: mars-rec <command> [options]',
    '',
    'commands:',
    ...commandNames.map((name) => `  ${name.padEnd(width)}${commandSpecs[name].summary}`),
    '',
    "Run 'mars-rec <command> --help' for a command's options and their defaults.",
    '  -h, --help     show this help',
    '  -v, --version  print the version',
    '',
    'Errors are one line on stderr with exit code 1 (2 for a wrong command line).',
  ].join('\n');
}

/** The usage line of one command (or of every command), for a usage error. */
export function usageLines(command?: CommandName): string {
  const names = command ? [command] : commandNames;
  return [
    ...names.map((name) => `usage: mars-rec ${name} ${commandSpecs[name].synopsis}`),
    `Run 'mars-rec ${command ?? '<command>'} --help' for the options and their defaults.`,
  ].join('\n');
}

/** Columns of the help text. */
const HELP_WIDTH = 100;

/** Splits text into lines of at most `width` characters at spaces (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
