/*
 * The native kernels' table: one instance per instruction set (isa_avx512.c, isa_avx2.c), chosen
 * at load time by addon.c. Every function computes the same bits on every instruction set:
 *  - GEMM: each C element is one float32 FMA chain over p = 0..k-1 in ascending order, started
 *    from 0 (or from C when accumulating); blocking and register tiles differ per ISA, the chain
 *    does not (a k-block boundary stores and reloads the float32 accumulator, which is exact).
 *  - elementwise kernels: plain C compiled with -ffp-contract=off and without -ffast-math, so
 *    the compiler may vectorise them but never reorders or contracts their arithmetic.
 * The table's members (one per kernel, with their C signatures) and the activation codes come from
 * src/core/kernels/manifest.ts through contract.generated.h; ops/ defines each <member>_impl.
 */
#ifndef LRF_KERNELS_H
#define LRF_KERNELS_H

/* The kernels are x86-64 (AVX2+FMA, AVX-512): elsewhere (or with LRF_NO_X86, set by binding.gyp
 * off x64) the ISA files compile to nothing and the addon reports no ISA, so the build never breaks
 * and the service runs on WebAssembly SIMD. */
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(LRF_NO_X86)
#define LRF_X86 1
#else
#define LRF_X86 0
#endif

/* the activation codes, the lrf_kernels table and LRF_TABLE: the backend contract, generated */
#include "contract.generated.h"

#if LRF_X86
extern const lrf_kernels lrf_kernels_avx512;
extern const lrf_kernels lrf_kernels_avx2;
#endif

#endif
