import { getPrimitiveDef, primitiveNames, viewPrimitives } from '@mlx-ts/core';
import { expect, test } from 'vitest';

// Backends type their kernel tables over KernelPrimitive (every primitive but the views), so the list the type is
// derived from must be exactly the primitives whose kind says the evaluator folds them into strides.
test('viewPrimitives lists exactly the primitives of kind view', () => {
  const views = primitiveNames.filter((p) => getPrimitiveDef(p).kind === 'view');
  expect([...viewPrimitives].sort()).toEqual([...views].sort());
});
