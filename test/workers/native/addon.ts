/**
 * Shared by the native backend's tests: the addon must load whenever this machine has a C compiler
 * (CI builds it in `npm ci`), so a broken build fails these tests instead of skipping them.
 */
import { spawnSync } from 'node:child_process';
import { loadNative, type NativeLoad } from '../../../workers/native-backend.js';

export const hasCompiler = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;

/** The addon at its default path with the default ISA; throws (with the reason) when a compiler exists but it does not load. */
export function requireNative(): Extract<NativeLoad, { ok: true }> {
  const load = loadNative({});
  if (!load.ok) throw new Error(`the native addon must be built on a machine with a C compiler: ${load.reason}`);
  return load;
}

/** Loads the addon with one ISA forced (LRF_NATIVE_ISA), as a fresh process would. */
export function nativeWithIsa(isa: 'avx512' | 'avx2'): Extract<NativeLoad, { ok: true }> {
  const load = loadNative({ LRF_NATIVE_ISA: isa });
  if (!load.ok) throw new Error(load.reason);
  return load;
}

export const supportsAvx512 = (): boolean => {
  const load = loadNative({});
  return load.ok && load.addon.supported().includes('avx512');
};
