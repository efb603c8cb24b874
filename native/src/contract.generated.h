/* Generated from src/core/kernels/manifest.ts by scripts/gen-backend.ts (npm run gen:backend); do not edit. */
#ifndef LRF_CONTRACT_GENERATED_H
#define LRF_CONTRACT_GENERATED_H
#include <stdint.h>

/* The activation codes of bias_act / act_backward (the manifest's ACTIVATIONS, code = index). */
enum { ACT_IDENTITY = 0, ACT_RELU = 1, ACT_TANH = 2, ACT_SIGMOID = 3 };

/* How many arguments each kernel's N-API function (addon.c) takes. */
enum { LRF_ARGC_GEMM = 9, LRF_ARGC_BIAS_ACT = 6, LRF_ARGC_ACT_BACKWARD = 5, LRF_ARGC_SUM_ROWS = 4, LRF_ARGC_ADAM = 13,
  LRF_ARGC_SGD = 10, LRF_ARGC_SUM_SQUARES = 2, LRF_ARGC_DIFF_SQUARES = 4, LRF_ARGC_ALL_FINITE = 2,
  LRF_ARGC_TANH_ARRAY = 3, LRF_ARGC_IM2COL = 15, LRF_ARGC_COL2IM_ADD = 15, LRF_ARGC_MAX = 15 };

/* One kernel table per instruction set (native/src/isa_*.c), chosen at load time by addon.c. */
typedef struct {
  const char *name;
  /* C[m×n] (+)= op(A)·op(B); op(A)[i,p] = ta ? A[p*m+i] : A[i*k+p]; op(B)[p,j] = tb ? B[j*k+p] : B[p*n+j] */
  void (*gemm)(int trans_a, int trans_b, int m, int n, int k, const float *a, const float *b, float *c, int accumulate);
  /* z[r,j] += bias[j] (bias absent: none), then y = act(z) (y may be z) */
  void (*bias_act)(float *z, float *y, const float *bias, int rows, int cols, int act);
  /* dz = dy · act'(z) over n floats, the derivative at the forward's output (dz may be dy) */
  void (*act_backward)(const float *dy, const float *z, float *dz, int n, int act);
  /* db[j] = Σ_r dz[r, j] (float32, r ascending; writes, does not accumulate) */
  void (*sum_rows)(const float *dz, float *db, int rows, int cols);
  /* torch Adam/AdamW step over n floats (amsgrad=False), bias corrections folded into stepSize and bc2Sqrt */
  void (*adam)(float *p, const float *g, float *m, float *v, int n, float one_minus_beta1, float beta2,
      float one_minus_beta2, float step_size, float bc2_sqrt, float eps, float wd, float shrink);
  /* torch SGD step over n floats (momentum, dampening, nesterov, L2 weight decay), float32 arithmetic */
  void (*sgd)(float *p, const float *g, float *buf, int n, float lr, float momentum, float one_minus_dampening,
      int nesterov, float wd, int first);
  /* Σ x[i]² over n floats, float64 accumulation */
  double (*sum_squares)(const float *x, int n);
  /* [Σ (a[i]-b[i])², Σ b[i]²] over n floats, float64 accumulation */
  void (*diff_squares)(const float *a, const float *b, int n, double *out);
  /* true when none of the n floats is NaN or ±Inf */
  int (*all_finite)(const float *x, int n);
  /* y = tanh(x) over n floats, the function biasAct applies for act = tanh */
  void (*tanh_array)(const float *x, float *y, int n);
  /* col[K × rows·P] = unfold of x rows [row0, row0+rows) (src/core/conv/im2col.ts; 0 outside the input) */
  void (*im2col)(const float *x, float *col, int row0, int rows, int in_c, int in_h, int in_w, int k_h, int k_w,
      int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w);
  /* dx rows [row0, row0+rows) += fold of col (im2col's adjoint; per element in (ki, kj) order, as im2col.ts) */
  void (*col2im_add)(const float *col, float *dx, int row0, int rows, int in_c, int in_h, int in_w, int k_h, int k_w,
      int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w);
  /* not a kernel: the FMA peak probe of bench/native.ts ('iters' iterations; returns the FLOPs done) */
  double (*peak)(int64_t iters, float *sink);
} lrf_kernels;

/* The table of one instruction set: impl.h (ops/) defines <member>_impl of every kernel, the ISA file peak_probe. */
#define LRF_TABLE(sym, label) \
  const lrf_kernels sym = { label, gemm_impl, bias_act_impl, act_backward_impl, sum_rows_impl, adam_impl, sgd_impl, \
    sum_squares_impl, diff_squares_impl, all_finite_impl, tanh_array_impl, im2col_impl, col2im_add_impl, peak_probe }

#endif
