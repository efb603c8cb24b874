/**
 * One conformance suite, run against every backend (./subjects.ts: scalar, WebAssembly SIMD, native
 * at each instruction set this host has): each kernel of the manifest (src/core/kernels/manifest.ts)
 * through its cases (./cases/), against the float64 references of ./reference.ts. A backend this host
 * cannot run, and a kernel a backend does not offer (the core runs its JS loop there), is skipped with
 * the reason in the test's name. `LRF_NATIVE_MAX_ISA=avx2 npx vitest run test/backends` runs it as an
 * AVX2-only CPU would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNELS, type BackendKind, type KernelSpec } from '../../src/core/kernels/manifest.js';
import { named, resetNative } from '../workers/native/addon.js';
import { CASES } from './cases/index.js';
import { SUBJECTS, type ContractKernels } from './subjects.js';

afterAll(resetNative); // back to the default ISA

const offers = (spec: KernelSpec, kind: BackendKind): boolean => spec.backends.includes(kind);

for (const subject of SUBJECTS) {
  describe.skipIf(subject.skip)(named(`backend ${subject.label}`, subject.skip), () => {
    let k: ContractKernels;
    // one backend per case: the native addon holds one ISA's table at a time, so each case selects its own
    const open = (): ContractKernels => (k = subject.open());
    beforeAll(open);

    it('exports every kernel the manifest lists for it', () => {
      const missing = KERNELS.filter((s) => offers(s, subject.kind) && !k.exported(s.name));
      expect(missing.map((s) => s.name)).toEqual([]);
    });

    for (const spec of KERNELS) {
      const offered = offers(spec, subject.kind);
      const why = offered ? null : `${subject.kind} has no ${spec.name} kernel; the core runs its JS loop`;
      describe(named(spec.name, why), () => {
        for (const c of CASES[spec.name]) {
          it.skipIf(!offered)(c.name, () => c.run(open()));
        }
      });
    }
  });
}
