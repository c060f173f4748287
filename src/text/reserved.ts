/** Id 0: padding. No word ever gets it; padded positions of a batch hold it. */
export const PADDING_ID = 0;

/** Id 1: out-of-vocabulary. Words not in the vocabulary encode to it and stay in the sequence. */
export const OOV_ID = 1;

/** The first id given to a word: ids below it are reserved ({@link PADDING_ID}, {@link OOV_ID}). */
export const FIRST_WORD_ID = 2;

/**
 * What {@link PADDING_ID} decodes to. It cannot collide with a word: `<` and `>` are not word
 * characters.
 */
export const PADDING_TOKEN = '<pad>';

/** What {@link OOV_ID} decodes to; like {@link PADDING_TOKEN}, never a word. */
export const OOV_TOKEN = '<oov>';
