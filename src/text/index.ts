/**
 * The text pipeline: item text to integer token sequences. TensorFlow-free.
 * @packageDocumentation
 */
export {};
