import { join } from 'node:path';
import type { LearningCurve } from '../reporting/learning-curve';
import { learningCurveSvg } from '../reporting/learning-curve-svg';
import { writeFileAtomically } from '../data/write-file-atomically';

/** File names of the learning curve in a run directory. */
export const LEARNING_CURVE_FILES = Object.freeze({ json: 'learning-curve.json', svg: 'learning-curve.svg' });

/** Writes `learning-curve.json` and `learning-curve.svg` into a run directory, each atomically. */
export async function writeLearningCurve(directory: string, curve: LearningCurve): Promise<void> {
  await writeFileAtomically(join(directory, LEARNING_CURVE_FILES.json), `${JSON.stringify(curve)}\n`);
  await writeFileAtomically(join(directory, LEARNING_CURVE_FILES.svg), learningCurveSvg(curve));
}
