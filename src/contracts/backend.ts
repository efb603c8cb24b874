/**
 * Which numeric backend trained a job: the worker adds it to every job result (workers/run-job.ts).
 * Results are bit-identical for the same request on the same backend (any ISA of the native one).
 */
import Type, { type Static } from 'typebox';
import { StringEnum } from './common.js';

export const BackendUsed = Type.Object(
  {
    name: StringEnum(['native', 'simd', 'scalar'] as const, {
      description:
        'native: the AVX-512 / AVX2 addon; simd: WebAssembly SIMD (the fallback when the addon is not built); scalar: the reference kernels (LRF_BACKEND=scalar)',
    }),
    isa: Type.Union([StringEnum(['avx512', 'avx2'] as const), Type.Null()], {
      description: "the native backend's instruction set (LRF_NATIVE_ISA); null for the others",
    }),
  },
  {
    $id: 'BackendUsed',
    additionalProperties: false,
    description: 'the numeric backend the job trained on (LRF_BACKEND)',
  },
);
export type BackendUsed = Static<typeof BackendUsed>;
