// A child for the index crash-safety test: runs `mars-rec index` on one run over and over until it
// is killed, cycling through a rebuild, an --add and an --add with --remove, and prints
// `saved N` after each. Usage: index-loop-child.ts RUN A_JSONL B_JSONL REMOVED_ID
import { indexCommand } from '../../src/cli/commands';

const [run, addA, addB, removed] = process.argv.slice(2);
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  const step = round % 3;
  await indexCommand({
    model: run,
    backend: 'cpu',
    ...(step === 1 ? { add: addA } : step === 2 ? { add: addB, remove: [removed] } : {}),
  });
  process.stdout.write(`saved ${round}\n`);
}
