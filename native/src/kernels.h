/*
 * The native kernels' table: one instance per instruction set (isa_avx512.c, isa_avx2.c), chosen
 * at load time by addon.c. Every function computes the same bits on every instruction set:
 *  - GEMM: each C element is one float32 FMA chain over p = 0..k-1 in ascending order, started
 *    from 0 (or from C when accumulating); blocking and register tiles differ per ISA, the chain
 *    does not (a k-block boundary stores and reloads the float32 accumulator, which is exact).
 *  - elementwise kernels: plain C compiled with -ffp-contract=off and without -ffast-math, so
 *    the compiler may vectorise them but never reorders or contracts their arithmetic.
 */
#ifndef LRF_KERNELS_H
#define LRF_KERNELS_H
#include <stdint.h>

/* The kernels are x86-64 (AVX2+FMA, AVX-512): elsewhere (or with LRF_NO_X86, set by binding.gyp
 * off x64) the ISA files compile to nothing and the addon reports no ISA, so the build never breaks
 * and the service runs on WebAssembly SIMD. */
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(LRF_NO_X86)
#define LRF_X86 1
#else
#define LRF_X86 0
#endif

enum { ACT_IDENTITY = 0, ACT_RELU = 1, ACT_TANH = 2, ACT_SIGMOID = 3 };

typedef struct {
  const char *name;
  /* C[m×n] (+)= op(A)·op(B); op(A)[i,p] = ta ? A[p*m+i] : A[i*k+p]; op(B)[p,j] = tb ? B[j*k+p] : B[p*n+j] */
  void (*gemm)(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c, int accumulate);
  void (*bias_act)(float *z, float *y, const float *bias, int rows, int cols, int act);
  void (*act_backward)(const float *dy, const float *z, float *dz, int n, int act);
  void (*sum_rows)(const float *dz, float *db, int rows, int cols);
  void (*adam)(float *p, const float *g, float *m, float *v, int n, float om1, float beta2, float om2,
               float step_size, float bc2_sqrt, float eps, float wd, float shrink);
  void (*sgd)(float *p, const float *g, float *buf, int n, float lr, float momentum, float one_minus_dampening,
              int nesterov, float wd, int first);
  double (*sum_squares)(const float *x, int n);
  void (*diff_squares)(const float *a, const float *b, int n, double *out);
  int (*all_finite)(const float *x, int n);
  void (*tanh_array)(const float *x, float *y, int n);
  /* FMA peak probe: 'iters' iterations of independent vector FMA chains; returns FLOPs done */
  double (*peak)(int64_t iters, float *sink);
} lrf_kernels;

#if LRF_X86
extern const lrf_kernels lrf_kernels_avx512;
extern const lrf_kernels lrf_kernels_avx2;
#endif

#endif
