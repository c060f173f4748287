/* global console, process */
// After `npm run build`: the TensorFlow-free entries of the package, and every chunk they load,
// must not import TensorFlow; the browser build (dist/browser, the "browser" export condition)
// must not import Node's built-in modules. Exits 1 naming the offending import.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';

let failed = false;
for (const entry of ['text', 'data', 'sampling', 'metrics']) {
  for (const extension of ['js', 'cjs']) {
    const seen = new Set();
    const queue = [`dist/${entry}/index.${extension}`];
    while (queue.length > 0) {
      const file = queue.pop();
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const specifier = match[1];
        if (specifier.startsWith('@tensorflow/') || specifier === 'webgpu') {
          console.error(`dist boundary: ${file} (entry mars-rec/${entry}) imports ${specifier}`);
          failed = true;
        } else if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier));
      }
    }
    console.log(`mars-rec/${entry} (${extension}): ${seen.size} files, TensorFlow-free`);
  }
}
const builtins = new Set(builtinModules);
const browserFiles = readdirSync('dist/browser', { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.js'),
);
for (const file of browserFiles) {
  const source = readFileSync(join('dist/browser', file), 'utf8');
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
    const specifier = match[1];
    if (specifier.startsWith('node:') || builtins.has(specifier)) {
      console.error(`dist boundary: dist/browser/${file} imports Node's ${specifier}`);
      failed = true;
    }
  }
}
console.log(`mars-rec (browser): ${browserFiles.length} files, no Node built-in imported`);
process.exit(failed ? 1 : 0);
