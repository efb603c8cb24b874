/**
 * Schedules on the wire: the schedule spec (PyTorch / transformers / optax names and keyword
 * arguments verbatim, validated by the core simulator with the libraries' own errors), and a
 * schedule error as a problem. Used by the preview (src/sync/schedule-preview/) and by the
 * schedule-simulation job kind (src/kinds/).
 */
import Type from 'typebox';
import type { ScheduleError } from '../core/schedules/index.js';
import { limitExceeded, ProblemError } from './problems.js';

/** Static schema bound; the configurable limit (LIMIT_SCHEDULE_STEPS) is checked by the handlers. */
export const SCHEDULE_MAX_STEPS = 100_000_000;
export const ScheduleSpec = Type.Object(
  {
    type: Type.String({
      maxLength: 64,
      description:
        'a PyTorch scheduler class (`StepLR`, `CosineAnnealingLR`, `OneCycleLR`, `SequentialLR`, `ReduceLROnPlateau`, ...), ' +
        'a Hugging Face `lr_scheduler_type` (`cosine`, `linear`, `warmup_stable_decay`, ...) or function name ' +
        '(`get_cosine_schedule_with_warmup`, ...), or an optax schedule function (`warmup_cosine_decay_schedule`, ...)',
    }),
    lr: Type.Optional(
      Type.Number({
        description:
          "the optimizer's base LR (`SGD(params, lr=...)`); optional for CyclicLR/OneCycleLR, absent for optax (which carry their own values)",
      }),
    ),
  },
  {
    $id: 'ScheduleSpec',
    additionalProperties: true,
    description:
      '`{type, lr, ...keyword arguments verbatim}` (`T_max`, `eta_min`, `milestones`, `num_warmup_steps`, `peak_value`, ...). ' +
      "Every argument is checked as the library itself checks it; unknown arguments are rejected with the library's own " +
      "message (`StepLR.__init__() got an unexpected keyword argument 'foo'`). See docs/schedules.md.",
    example: { type: 'CosineAnnealingLR', lr: 0.1, T_max: 100, eta_min: 0.001 },
  },
);

/** A `$ref` to ScheduleSpec with its static type: `{type, lr?, ...keyword arguments}`. */
export const ScheduleSpecRef = Type.Unsafe<{ type: string; lr?: number; [argument: string]: unknown }>(
  Type.Ref('ScheduleSpec'),
);

/** Where a schedule lists its children: SequentialLR / ChainedScheduler `schedulers`, optax join_schedules `schedules`.
 * */
const CHILD_LISTS = ['schedulers', 'schedules'] as const;

/**
 * LIMIT_SCHEDULE_DEPTH, checked before the schedule builder (which recurses) sees the spec: a plain
 * schedule is depth 1, SequentialLR of plain schedules depth 2. Walks iteratively; past the limit a
 * 400 limit_exceeded naming the pointer of the first schedule too deep and the whole spec's depth.
 */
export function checkScheduleDepth(spec: unknown, maxDepth: number, pointer: string): void {
  const stack: [unknown, string, number][] = [[spec, pointer, 1]];
  let first: string | null = null;
  let deepest = 0;
  while (stack.length) {
    const [s, at, depth] = stack.pop()!;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) continue;
    deepest = Math.max(deepest, depth);
    if (depth > maxDepth) first ??= at;
    for (const key of CHILD_LISTS) {
      const list = Object.hasOwn(s, key) ? (s as Record<string, unknown>)[key] : undefined;
      if (!Array.isArray(list)) continue;
      for (let i = list.length - 1; i >= 0; i--) stack.push([list[i], `${at}/${key}/${i}`, depth + 1]);
    }
  }
  if (first !== null) {
    throw limitExceeded(
      first,
      'the nesting depth of schedules (SequentialLR / ChainedScheduler / join_schedules children)',
      deepest,
      maxDepth,
      'LIMIT_SCHEDULE_DEPTH',
    );
  }
}

/**
 * A core ScheduleError as a 400 problem: `errors[0].pointer` is the error's path (re-rooted under
 * `prefix` when it points into the schedule), `errors[0].detail` the library's own message.
 */
export function scheduleProblem(err: ScheduleError, prefix = ''): ProblemError {
  const pointer = err.path.startsWith('/schedule') ? prefix + err.path : err.path;
  const shown = err.exception === 'LimitError' ? err.message : `${err.exception}: ${err.message}`;
  return new ProblemError(400, 'invalid_request', 'Invalid schedule', `${pointer}: ${shown}`, [
    { pointer, detail: err.message },
  ]);
}
