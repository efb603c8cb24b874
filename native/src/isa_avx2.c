/* AVX2 + FMA kernels: a 6×16 register tile (12 ymm accumulators). See kernels.h for the
 * bit-identity contract with isa_avx512.c. */
#include "kernels.h"
#if LRF_X86
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#include <stdint.h>

#define MR 6
#define NR 16

static void micro_kernel(int kc, const float *a, const float *b, float *c, int ldc, int load) {
  __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
#define LD(i) c##i##0 = load ? _mm256_loadu_ps(c + (i) * ldc) : _mm256_setzero_ps(); \
              c##i##1 = load ? _mm256_loadu_ps(c + (i) * ldc + 8) : _mm256_setzero_ps();
  LD(0) LD(1) LD(2) LD(3) LD(4) LD(5)
#undef LD
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 ai;
#define STEP(i) ai = _mm256_broadcast_ss(a + (i)); c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0); c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);
    STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5)
#undef STEP
    a += MR;
    b += NR;
  }
#define ST(i) _mm256_storeu_ps(c + (i) * ldc, c##i##0); _mm256_storeu_ps(c + (i) * ldc + 8, c##i##1);
  ST(0) ST(1) ST(2) ST(3) ST(4) ST(5)
#undef ST
}

/* 12 independent FMA chains of 8 floats: 192 FLOPs per iteration */
static double peak_probe(int64_t iters, float *sink) {
  __m256 x[12];
  const __m256 m = _mm256_set1_ps(0.999999f), d = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) x[i] = _mm256_set1_ps(1.0f + (float)i);
  for (int64_t t = 0; t < iters; t++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) x[i] = _mm256_fmadd_ps(x[i], m, d);
  }
  __m256 s = x[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, x[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  *sink = out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
  return (double)iters * 12 * 8 * 2;
}

#include "impl.h"
LRF_TABLE(lrf_kernels_avx2, "avx2");
#else
typedef int lrf_no_avx2_kernels; /* not x86-64: nothing to build (kernels.h) */
#endif
