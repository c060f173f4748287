// A child for the crash-safety test: loads two models and saves them in turn over one
// directory until it is killed. Usage: save-loop-child.ts TARGET MODEL_A MODEL_B
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { MarsModel } from '../../src/model/mars-model';

const [target, first, second] = process.argv.slice(2);
await tf.setBackend('cpu');
const models = [await MarsModel.load(first), await MarsModel.load(second)];
process.stdout.write('ready\n');
for (let round = 0; ; round++) await models[round % 2].save(target);
