/* global console, process */
// After `npm run build`: the TensorFlow-free entries of the package, and every chunk they load,
// must not import TensorFlow. Exits 1 naming the offending import.
import { readFileSync } from 'node:fs';
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
process.exit(failed ? 1 : 0);
