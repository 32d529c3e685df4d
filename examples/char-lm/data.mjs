// Text as characters: the shipped plays (examples/data), a vocabulary of their characters, id arrays,
// seeded random training windows, and the held-out windows a loss is measured on.
import { readFileSync } from 'node:fs';
import * as mx from 'mlx-ts';

/** The shipped texts (see examples/data/README.md). */
export const TEXTS = {
  /** Coriolanus and Richard III: the char LM's training text (its last 10% is the validation split). */
  train: new URL('../data/coriolanus-richard-iii.txt', import.meta.url),
  /** The Taming of the Shrew: the play the LoRA example adapts the model to. */
  shrew: new URL('../data/taming-of-the-shrew.txt', import.meta.url),
};

export const readText = (url) => readFileSync(url, 'utf8');

/** The distinct characters of `text`, sorted: a character's id is its index. */
export const vocabularyOf = (text) => [...new Set(text)].sort();

/** `encode(text)` -> int32 Array of ids, `decode(ids)` -> string, for a vocabulary (a list of characters). */
export function codec(vocabulary) {
  const ids = new Map(vocabulary.map((c, i) => [c, i]));
  return {
    encode(text) {
      const out = new Int32Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const id = ids.get(text[i]);
        if (id === undefined) throw new Error(`encode: character ${JSON.stringify(text[i])} at ${i} is not in the vocabulary`);
        out[i] = id;
      }
      return mx.array(out);
    },
    decode: (tokens) => Array.from(tokens, (t) => vocabulary[t]).join(''),
  };
}

/** [first (1 - fraction), last fraction] of the 1-d array `tokens`. */
export function splitTail(tokens, fraction = 0.1) {
  const n = tokens.shape[0];
  const cut = n - Math.round(n * fraction);
  return [tokens.index(`:${cut}`), tokens.index(`${cut}:`)];
}

/**
 * A training batch drawn with `key`: `batchSize` windows of `context + 1` consecutive tokens at random
 * offsets, as inputs [batchSize, context] and next-token targets [batchSize, context].
 */
export function randomWindows(tokens, batchSize, context, key) {
  const starts = mx.random.randint(0, tokens.shape[0] - context, [batchSize, 1], mx.int32, key);
  const windows = mx.take(tokens, mx.add(starts, mx.arange(context + 1)), 0);
  return [windows.index(':', ':-1'), windows.index(':', '1:')];
}

/** All non-overlapping windows of `tokens` (the tail that fills none is left out), as randomWindows returns them. */
export function allWindows(tokens, context) {
  const n = Math.floor((tokens.shape[0] - 1) / context);
  if (n === 0) throw new Error(`allWindows: ${tokens.shape[0]} tokens make no window of ${context} + 1`);
  const windows = mx.reshape(tokens.index(`:${n * context}`), [n, context]);
  const targets = mx.reshape(tokens.index(`1:${n * context + 1}`), [n, context]);
  return [windows, targets];
}

/** The entropy (nats per character) of the characters' frequencies in `text`: the loss of the best model that ignores context. */
export function unigramEntropy(text) {
  const counts = new Map();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log(n / text.length);
  return h;
}
