/**
 * The training setup is declared once: every job kind's request (or its `train` object) carries
 * exactly the fields of trainingSetupFields, the same schemas (a kind may only describe a field
 * in its own words).
 */
import { describe, expect, it } from 'vitest';
import { trainingSetupFields } from '../../src/contracts/training-setup.js';
import { KINDS } from '../../src/kinds/registry.js';

type Schema = { properties?: Record<string, Schema>; description?: string; [k: string]: unknown };

const withoutDescription = (s: Schema): Schema => {
  const { description: _, ...rest } = s;
  return rest;
};

/** The object of a kind's request that holds the setup: the request itself, or its `train`. */
function setupOf(request: Schema): Record<string, Schema> {
  const props = request.properties ?? {};
  return props.model ? props : (props.train?.properties ?? {});
}

describe('the training-setup fragment', () => {
  // as JSON, as the OpenAPI document shows them
  const fields: Record<string, Schema> = JSON.parse(JSON.stringify(trainingSetupFields()));
  const names = Object.keys(fields);

  it('is the eight setup fields', () => {
    expect(names).toEqual([
      'model',
      'data',
      'loss',
      'optimizer',
      'batch_size',
      'clip_grad_norm',
      'clip_grad_value',
      'seed',
    ]);
  });

  it.each(KINDS.map((k) => [k.name, k]))('is what %s declares', (_, kind) => {
    const setup = setupOf(JSON.parse(JSON.stringify(kind.schemas.request)));
    for (const name of names) {
      expect(setup[name], name).toBeDefined();
      expect(withoutDescription(setup[name]), name).toEqual(withoutDescription(fields[name]));
    }
  });
});
