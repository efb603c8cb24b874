/**
 * Shared by the native backend's tests: the addon must load whenever this machine has a C compiler
 * (CI builds it in `npm ci`), so a broken build fails these tests instead of skipping them. What a
 * CPU lacks is not a failure: a test of an instruction set this CPU/OS (or LRF_NATIVE_MAX_ISA, which
 * simulates a smaller CPU) cannot run skips, with the reason in its name and on the console.
 */
import { spawnSync } from 'node:child_process';
import { loadNative, type NativeIsa, type NativeLoad } from '../../../workers/native-backend.js';

export const hasCompiler = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;

/** This process's CPU knobs (LRF_NATIVE_MAX_ISA, LRF_NATIVE_ISA), so `LRF_NATIVE_MAX_ISA=avx2 npx vitest run …` tests
 * an AVX2-only CPU. */
export function nativeEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['LRF_NATIVE_MAX_ISA', 'LRF_NATIVE_ISA'] as const) if (process.env[k]) env[k] = process.env[k];
  return { ...env, ...extra };
}

/**
 * Why this CPU/OS/architecture cannot run the native backend (with `isa`, or with its best ISA), or
 * null when it can. A missing or broken addon is no reason to skip: requireNative() fails on it.
 */
export function nativeSkipReason(isa?: NativeIsa): string | null {
  const load = loadNative(nativeEnv(isa ? { LRF_NATIVE_ISA: isa } : {}));
  const reason = !load.ok && load.failure === 'cpu' ? load.reason : null;
  if (reason) console.warn(`skipping the ${isa ?? 'native'} tests: ${reason}`);
  return reason;
}

/** A test or suite name that says why it is skipped, when it is. */
export const named = (name: string, skipReason: string | null): string =>
  skipReason ? `${name} [skipped: ${skipReason}]` : name;

/** The addon at its default path with the default ISA; throws (with the reason) when a compiler exists but it does not
 * load. */
export function requireNative(): Extract<NativeLoad, { ok: true }> {
  const load = loadNative(nativeEnv());
  if (!load.ok) throw new Error(`the native addon must be built on a machine with a C compiler: ${load.reason}`);
  return load;
}

/** Loads the addon with one ISA forced (LRF_NATIVE_ISA), as a fresh process would. */
export function nativeWithIsa(isa: NativeIsa): Extract<NativeLoad, { ok: true }> {
  const load = loadNative(nativeEnv({ LRF_NATIVE_ISA: isa }));
  if (!load.ok) throw new Error(load.reason);
  return load;
}

/** Back to this process's default ISA (afterAll of the tests that force one). */
export const resetNative = (): void => {
  loadNative(nativeEnv());
};
