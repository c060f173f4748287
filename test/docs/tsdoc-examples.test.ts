import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The @example blocks of the API reference are code a user copies: each is written into its own
// module and type-checked against src/ (the `mars-rec` entries mapped to their index files), so an
// example cannot drift from the API. Every exported class of the public entries and the main
// functions listed below must have one.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entries: Record<string, string> = {
  'mars-rec': 'src/index.ts',
  'mars-rec/text': 'src/text/index.ts',
  'mars-rec/data': 'src/data/index.ts',
  'mars-rec/sampling': 'src/sampling/index.ts',
  'mars-rec/metrics': 'src/metrics/index.ts',
  'mars-rec/http': 'src/serving/http/index.ts',
};

/** The main functions of the public entries: each must carry an example. */
const mainFunctions: Record<string, string[]> = {
  'mars-rec': [
    'selectBackend',
    'buildMarsBlocks',
    'trainMarsBlocks',
    'computeItemVectors',
    'scoreHistories',
    'explainAttention',
    'attentionUniformity',
    'exactTopK',
    'createItemIndex',
    'fitCollaborativePart',
    'foldInUser',
    'tuneBprMf',
    'resolveMarsConfig',
    'formatModelSummary',
    'capHistory',
    'historyOfRow',
    'padRows',
    'generateSyntheticCorpus',
    'learningCurveSvg',
  ],
  'mars-rec/text': ['encodeCorpus', 'stripHtml', 'builtInStopwords'],
  'mars-rec/data': [
    'loadDataset',
    'loadItemsJsonl',
    'loadInteractionsCsv',
    'preprocess',
    'splitPerUser',
    'rowsToCsr',
    'loadMovieLensMovies',
    'loadAmazonReviews',
    'loadMindNews',
  ],
  'mars-rec/sampling': [],
  'mars-rec/metrics': [
    'evaluateRanking',
    'evaluateSampledUsers',
    'recallAtK',
    'ndcgAtK',
    'averagePrecisionAtK',
    'topK',
    'formatMetricsTable',
    'catalogueCoverage',
  ],
  'mars-rec/http': [
    'startServer',
    'createRecommendationService',
    'createRecommendationApp',
    'recommendationPlugin',
    'servedMarsModel',
    'servedPopularity',
    'servedBprMf',
    'knownUsersOfSplit',
  ],
};

interface Example {
  /** Where it is: file and line of the block. */
  where: string;
  code: string;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === 'assembly' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The fenced code blocks after `@example` tags in a file's doc comments. */
function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const examples: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\*? ?/, ''));
    const body = lines.join('\n');
    for (const tag of body.matchAll(/@example[^\n]*\n([\s\S]*?)(?=\n@\w|$)/g)) {
      for (const block of tag[1].matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
        const line = text.slice(0, comment.index).split('\n').length;
        examples.push({ where: `${relative(root, file)}:${line}`, code: block[1] });
      }
    }
  }
  return examples;
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  resolveJsonModule: true,
  types: ['node'],
  noEmit: true,
  baseUrl: root,
  paths: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, [file]])),
};

describe('TSDoc @example blocks', () => {
  const examples = sourceFiles(join(root, 'src')).flatMap(examplesOf);
  // inside node_modules, so that the examples resolve packages as a user's code does
  const folder = join(root, 'node_modules/.cache/mars-rec-tsdoc-examples');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const files = examples.map((example, index) => {
    const file = join(folder, `example-${index}.ts`);
    writeFileSync(file, `${example.code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(
    [...files, ...Object.values(entries).map((file) => join(root, file))],
    compilerOptions,
  );

  it('import the library only through its public entries', () => {
    const wrong = examples.flatMap((example) =>
      [...example.code.matchAll(/from\s+'([^']+)'/g)]
        .map((match) => match[1])
        .filter((name) => !(name in entries) && !/^(node:|@tensorflow\/|fastify$)/.test(name))
        .map((name) => `${example.where}: imports '${name}'`),
    );
    expect(wrong).toEqual([]);
    expect(examples.length).toBeGreaterThan(40);
  });

  it('type-check against the current API', () => {
    const errors = files.flatMap((file, index) =>
      [
        ...program.getSyntacticDiagnostics(program.getSourceFile(file)),
        ...program.getSemanticDiagnostics(program.getSourceFile(file)),
      ].map((diagnostic) => {
        const line =
          diagnostic.file && diagnostic.start !== undefined
            ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
            : 0;
        return `${examples[index].where} (example line ${line}): ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      }),
    );
    expect(errors).toEqual([]);
  });

  it('cover every exported class of the public entries and the main functions', () => {
    const checker = program.getTypeChecker();
    const missing: string[] = [];
    for (const [entry, file] of Object.entries(entries)) {
      const module = checker.getSymbolAtLocation(program.getSourceFile(join(root, file)) as ts.SourceFile);
      const exported = new Map<string, ts.Symbol>();
      for (const symbol of checker.getExportsOfModule(module as ts.Symbol)) {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        exported.set(symbol.name, target);
      }
      const hasExample = (symbol: ts.Symbol): boolean =>
        symbol.getJsDocTags(checker).some((tag) => tag.name === 'example') ||
        (symbol.declarations ?? []).some((declaration) =>
          ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'example'),
        );
      for (const [name, symbol] of exported)
        if (symbol.flags & ts.SymbolFlags.Class && !hasExample(symbol))
          missing.push(`${entry}: class ${name}`);
      for (const name of mainFunctions[entry]) {
        const symbol = exported.get(name);
        if (!symbol) missing.push(`${entry}: ${name} is not exported`);
        else if (!hasExample(symbol)) missing.push(`${entry}: function ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
