/** `SeededRandom` lives in `random/`; this path keeps older imports working. */
export { SeededRandom } from '../random/seeded-random';
