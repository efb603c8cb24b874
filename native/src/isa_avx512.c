/* AVX-512F kernels: an 8×32 register tile (16 zmm accumulators), FMA. See kernels.h for the
 * bit-identity contract with isa_avx2.c. */
#include "kernels.h"
#if LRF_X86
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")
#include <immintrin.h>
#include <stdint.h>

#define MR 8
#define NR 32

static void micro_kernel(int kc, const float *a, const float *b, float *c, int ldc, int load) {
  __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
#define LD(i) c##i##0 = load ? _mm512_loadu_ps(c + (i) * ldc) : _mm512_setzero_ps(); \
              c##i##1 = load ? _mm512_loadu_ps(c + (i) * ldc + 16) : _mm512_setzero_ps();
  LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
#undef LD
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    __m512 ai;
#define STEP(i) ai = _mm512_set1_ps(a[i]); c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);
    STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7)
#undef STEP
    a += MR;
    b += NR;
  }
#define ST(i) _mm512_storeu_ps(c + (i) * ldc, c##i##0); _mm512_storeu_ps(c + (i) * ldc + 16, c##i##1);
  ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
#undef ST
}

/* 16 independent FMA chains of 16 floats: 512 FLOPs per iteration */
static double peak_probe(int64_t iters, float *sink) {
  __m512 x[16];
  const __m512 m = _mm512_set1_ps(0.999999f), d = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 16; i++) x[i] = _mm512_set1_ps(1.0f + (float)i);
  for (int64_t t = 0; t < iters; t++) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) x[i] = _mm512_fmadd_ps(x[i], m, d);
  }
  __m512 s = x[0];
  for (int i = 1; i < 16; i++) s = _mm512_add_ps(s, x[i]);
  *sink = _mm512_reduce_add_ps(s);
  return (double)iters * 16 * 16 * 2;
}

#include "impl.h"
LRF_TABLE(lrf_kernels_avx512, "avx512");
#else
typedef int lrf_no_avx512_kernels; /* not x86-64: nothing to build (kernels.h) */
#endif
