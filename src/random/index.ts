/**
 * Seeded randomness: every random draw in mars-rec goes through a {@link SeededRandom}, so the
 * same seed gives the same run. The lowest folder of the library: text, data, sampling and
 * everything above may use it; it imports nothing. TensorFlow-free.
 * @packageDocumentation
 */
export { SeededRandom } from './seeded-random';
