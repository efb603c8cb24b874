/**
 * The training-setup fields every job kind's request declares — model, data, loss, optimizer,
 * batch_size, clip_grad_norm, clip_grad_value and seed — declared once here and spread into each
 * kind's request schema (src/kinds/<kind>/contract.ts). Resolution is resolveTraining
 * (./resolve.ts).
 */
import Type, { type Static } from 'typebox';
import { RefOf } from './common.js';
import { Data } from './data.js';
import { Loss, Model } from './model.js';
import { Optimizer } from './optimizer.js';

/** The setup's own defaults (the rest are the model's, the data's, torch.optim's). */
export const TRAINING_DEFAULTS = { batch_size: 64, seed: 0 } as const;

const ClipValue = (description: string) =>
  Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }), Type.Null()], { description });

/** What a kind says about a field in its own words (its OpenAPI description). */
export interface SetupDescriptions {
  batch_size?: string;
  seed?: string;
}

const described = (description: string | undefined) => (description === undefined ? {} : { description });

/** The fields, to spread into a request schema's properties. */
export function trainingSetupFields(say: SetupDescriptions = {}) {
  return {
    model: Type.Optional(RefOf(Model)),
    data: Type.Optional(RefOf(Data)),
    loss: Type.Optional(RefOf(Loss)),
    optimizer: Type.Optional(RefOf(Optimizer)),
    batch_size: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65536,
        default: TRAINING_DEFAULTS.batch_size,
        ...described(say.batch_size),
      }),
    ),
    clip_grad_norm: Type.Optional(ClipValue('torch.nn.utils.clip_grad_norm_ max_norm (L2)')),
    clip_grad_value: Type.Optional(ClipValue('torch.nn.utils.clip_grad_value_ clip_value')),
    seed: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4294967295,
        default: TRAINING_DEFAULTS.seed,
        ...described(say.seed),
      }),
    ),
  };
}

const TrainingSetup = Type.Object(trainingSetupFields());

/** The training-setup fields of a request, as sent. */
export type TrainingFields = Static<typeof TrainingSetup>;
