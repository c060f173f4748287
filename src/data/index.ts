/**
 * Loading, cleaning, splitting and describing interaction data. TensorFlow-free.
 * @packageDocumentation
 */
export type { CsrMatrix } from './csr';
