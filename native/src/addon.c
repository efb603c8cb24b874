/*
 * lrf_native: the N-API face of the native kernels. Picks one kernel table at init (AVX-512 when
 * the CPU and OS support it, else AVX2+FMA; or the one asked for) and exposes it to JS on
 * Float32Arrays (napi_get_typedarray_info hands out the data pointer; nothing is copied). Every
 * array length is checked before a kernel runs: a wrong size is a RangeError, never a stray write.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>
#include "kernels.h"
#if LRF_X86
#include <cpuid.h>
#endif

static const lrf_kernels *K = NULL;

/* ---- CPU and OS support ---- */
#if LRF_X86
static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}
static int has_avx2_fma(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return 0;
  if ((xgetbv0() & 0x6) != 0x6) return 0; /* XMM and YMM state enabled by the OS */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b >> 5) & 1; /* AVX2 */
}
static int has_avx512(void) {
  unsigned a, b, c, d;
  if (!has_avx2_fma()) return 0;
  if ((xgetbv0() & 0xe6) != 0xe6) return 0; /* opmask, ZMM_Hi256, Hi16_ZMM enabled by the OS */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
  return f && dq && bw && vl;
}
#else
static int has_avx2_fma(void) { return 0; }
static int has_avx512(void) { return 0; }
#endif

/* ---- argument helpers ---- */
#define MAXARGS 16
_Static_assert(LRF_ARGC_MAX <= MAXARGS, "a kernel takes more arguments than get_args reads");
#define THROW_RANGE(env, msg) do { napi_throw_range_error(env, NULL, msg); return NULL; } while (0)
#define THROW(env, msg) do { napi_throw_error(env, NULL, msg); return NULL; } while (0)

typedef struct { napi_value argv[MAXARGS]; size_t argc; } args_t;

static int get_args(napi_env env, napi_callback_info info, args_t *a, size_t want) {
  a->argc = MAXARGS;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok) return 0;
  if (a->argc < want) { napi_throw_type_error(env, NULL, "lrf_native: too few arguments"); return 0; }
  return 1;
}

/* a Float32Array's data and length; null/undefined → *ptr = NULL when allow_null */
static int f32(napi_env env, napi_value v, float **ptr, size_t *len, int allow_null) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (allow_null && (t == napi_null || t == napi_undefined)) { *ptr = NULL; *len = 0; return 1; }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  napi_typedarray_type tt;
  void *data = NULL;
  if (!is_ta || napi_get_typedarray_info(env, v, &tt, len, &data, NULL, NULL) != napi_ok || tt != napi_float32_array) {
    napi_throw_type_error(env, NULL, "lrf_native: expected a Float32Array");
    return 0;
  }
  *ptr = (float *)data;
  return 1;
}

static int i32(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) { napi_throw_type_error(env, NULL, "lrf_native: expected a number"); return 0; }
  return 1;
}
static int dbl(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) { napi_throw_type_error(env, NULL, "lrf_native: expected a number"); return 0; }
  return 1;
}
static int flag(napi_env env, napi_value v) {
  bool b = false;
  if (napi_get_value_bool(env, v, &b) == napi_ok) return b;
  int32_t i = 0;
  napi_get_value_int32(env, v, &i);
  return i != 0;
}
static napi_value num(napi_env env, double x) { napi_value r; napi_create_double(env, x, &r); return r; }
static napi_value str(napi_env env, const char *s) { napi_value r; napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r); return r; }

#define NEED_K(env) do { if (!K) THROW(env, "lrf_native: call init() first"); } while (0)

/* ---- exports ---- */

/* init(isa?: 'avx512' | 'avx2'): selects the kernel table, returns its name */
static napi_value js_init(napi_env env, napi_callback_info info) {
  args_t a;
  if (!get_args(env, info, &a, 0)) return NULL;
  char want[16] = "";
  if (a.argc >= 1) {
    napi_valuetype t;
    napi_typeof(env, a.argv[0], &t);
    if (t == napi_string) { size_t n; napi_get_value_string_utf8(env, a.argv[0], want, sizeof want, &n); }
  }
#if LRF_X86
  if (want[0] == 0) {
    if (has_avx512()) K = &lrf_kernels_avx512;
    else if (has_avx2_fma()) K = &lrf_kernels_avx2;
    else THROW(env, "lrf_native: this CPU has neither AVX-512 nor AVX2+FMA");
  } else if (strcmp(want, "avx512") == 0) {
    if (!has_avx512()) THROW(env, "lrf_native: AVX-512 (F, DQ, BW, VL) is not available on this CPU/OS");
    K = &lrf_kernels_avx512;
  } else if (strcmp(want, "avx2") == 0) {
    if (!has_avx2_fma()) THROW(env, "lrf_native: AVX2+FMA is not available on this CPU/OS");
    K = &lrf_kernels_avx2;
  } else {
    THROW(env, "lrf_native: unknown ISA (expected avx512 or avx2)");
  }
#else
  (void)want;
  THROW(env, "lrf_native: built without the x86-64 kernels (AVX2/AVX-512): this architecture has none");
#endif
  return str(env, K->name);
}

/* supported(): the ISAs this machine can run, best first */
static napi_value js_supported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  if (has_avx512()) napi_set_element(env, arr, i++, str(env, "avx512"));
  if (has_avx2_fma()) napi_set_element(env, arr, i++, str(env, "avx2"));
  return arr;
}

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_GEMM)) return NULL;
  int32_t m, n, k; float *A, *B, *C; size_t la, lb, lc;
  const int ta = flag(env, a.argv[0]), tb = flag(env, a.argv[1]);
  if (!i32(env, a.argv[2], &m) || !i32(env, a.argv[3], &n) || !i32(env, a.argv[4], &k)) return NULL;
  if (!f32(env, a.argv[5], &A, &la, 0) || !f32(env, a.argv[6], &B, &lb, 0) || !f32(env, a.argv[7], &C, &lc, 0)) return NULL;
  if (m < 0 || n < 0 || k < 0) THROW_RANGE(env, "native gemm: m, n, k must be non-negative");
  if ((int64_t)la < (int64_t)m * k) THROW_RANGE(env, "native gemm: A is shorter than m·k");
  if ((int64_t)lb < (int64_t)k * n) THROW_RANGE(env, "native gemm: B is shorter than k·n");
  if ((int64_t)lc < (int64_t)m * n) THROW_RANGE(env, "native gemm: C is shorter than m·n");
  K->gemm(ta, tb, m, n, k, A, B, C, flag(env, a.argv[8]));
  return NULL;
}

static napi_value js_bias_act(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_BIAS_ACT)) return NULL;
  float *z, *y, *bias; size_t lz, ly, lb; int32_t rows, cols, act;
  if (!f32(env, a.argv[0], &z, &lz, 0) || !f32(env, a.argv[1], &y, &ly, 0) || !f32(env, a.argv[2], &bias, &lb, 1)) return NULL;
  if (!i32(env, a.argv[3], &rows) || !i32(env, a.argv[4], &cols) || !i32(env, a.argv[5], &act)) return NULL;
  if (rows < 0 || cols < 0) THROW_RANGE(env, "native biasAct: rows, cols must be non-negative");
  const int64_t n = (int64_t)rows * cols;
  if ((int64_t)lz < n || (int64_t)ly < n) THROW_RANGE(env, "native biasAct: z or y is shorter than rows·cols");
  if (bias && (int64_t)lb < cols) THROW_RANGE(env, "native biasAct: bias is shorter than cols");
  K->bias_act(z, y, bias, rows, cols, act);
  return NULL;
}

static napi_value js_act_backward(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_ACT_BACKWARD)) return NULL;
  float *dy, *z, *dz; size_t l1, l2, l3; int32_t n, act;
  if (!f32(env, a.argv[0], &dy, &l1, 0) || !f32(env, a.argv[1], &z, &l2, 0) || !f32(env, a.argv[2], &dz, &l3, 0)) return NULL;
  if (!i32(env, a.argv[3], &n) || !i32(env, a.argv[4], &act)) return NULL;
  if (n < 0 || (size_t)n > l1 || (size_t)n > l2 || (size_t)n > l3) THROW_RANGE(env, "native actBackward: n outside the arrays");
  K->act_backward(dy, z, dz, n, act);
  return NULL;
}

static napi_value js_sum_rows(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_SUM_ROWS)) return NULL;
  float *dz, *db; size_t l1, l2; int32_t rows, cols;
  if (!f32(env, a.argv[0], &dz, &l1, 0) || !f32(env, a.argv[1], &db, &l2, 0)) return NULL;
  if (!i32(env, a.argv[2], &rows) || !i32(env, a.argv[3], &cols)) return NULL;
  if (rows < 0 || cols < 0 || (int64_t)l1 < (int64_t)rows * cols || (int64_t)l2 < cols) THROW_RANGE(env, "native sumRows: sizes outside the arrays");
  K->sum_rows(dz, db, rows, cols);
  return NULL;
}

/* adam(p, g, m, v, n, 1-β1, β2, 1-β2, stepSize, √(1-β2^t), eps, wd, shrink) */
static napi_value js_adam(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_ADAM)) return NULL;
  float *p, *g, *m, *v; size_t l[4]; int32_t n; double s[8];
  if (!f32(env, a.argv[0], &p, &l[0], 0) || !f32(env, a.argv[1], &g, &l[1], 0) ||
      !f32(env, a.argv[2], &m, &l[2], 0) || !f32(env, a.argv[3], &v, &l[3], 0) || !i32(env, a.argv[4], &n)) return NULL;
  for (int i = 0; i < 8; i++) if (!dbl(env, a.argv[5 + i], &s[i])) return NULL;
  if (n < 0) THROW_RANGE(env, "native adam: n must be non-negative");
  for (int i = 0; i < 4; i++) if (l[i] < (size_t)n) THROW_RANGE(env, "native adam: n outside the arrays");
  K->adam(p, g, m, v, n, (float)s[0], (float)s[1], (float)s[2], (float)s[3], (float)s[4], (float)s[5], (float)s[6], (float)s[7]);
  return NULL;
}

/* sgd(p, g, buf, n, lr, momentum, 1-dampening, nesterov, wd, first) */
static napi_value js_sgd(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_SGD)) return NULL;
  float *p, *g, *b; size_t l[3]; int32_t n; double lr, mom, omd, wd;
  if (!f32(env, a.argv[0], &p, &l[0], 0) || !f32(env, a.argv[1], &g, &l[1], 0) || !f32(env, a.argv[2], &b, &l[2], 0) ||
      !i32(env, a.argv[3], &n) || !dbl(env, a.argv[4], &lr) || !dbl(env, a.argv[5], &mom) || !dbl(env, a.argv[6], &omd) ||
      !dbl(env, a.argv[8], &wd)) return NULL;
  if (n < 0) THROW_RANGE(env, "native sgd: n must be non-negative");
  for (int i = 0; i < 3; i++) if (l[i] < (size_t)n) THROW_RANGE(env, "native sgd: n outside the arrays");
  K->sgd(p, g, b, n, (float)lr, (float)mom, (float)omd, flag(env, a.argv[7]), (float)wd, flag(env, a.argv[9]));
  return NULL;
}

static napi_value js_sum_squares(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_SUM_SQUARES)) return NULL;
  float *x; size_t l; int32_t n;
  if (!f32(env, a.argv[0], &x, &l, 0) || !i32(env, a.argv[1], &n)) return NULL;
  if (n < 0 || (size_t)n > l) THROW_RANGE(env, "native sumSquares: n outside the array");
  return num(env, K->sum_squares(x, n));
}

/* diffSquares(a, b, n, out: Float64Array(2)) → out = [Σ(a-b)², Σb²] */
static napi_value js_diff_squares(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_DIFF_SQUARES)) return NULL;
  float *x, *y; size_t l1, l2, lo; int32_t n; napi_typedarray_type tt; void *out = NULL; bool is_ta = false;
  if (!f32(env, a.argv[0], &x, &l1, 0) || !f32(env, a.argv[1], &y, &l2, 0) || !i32(env, a.argv[2], &n)) return NULL;
  napi_is_typedarray(env, a.argv[3], &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, a.argv[3], &tt, &lo, &out, NULL, NULL) != napi_ok || tt != napi_float64_array || lo < 2) {
    napi_throw_type_error(env, NULL, "native diffSquares: out must be a Float64Array(2)");
    return NULL;
  }
  if (n < 0 || (size_t)n > l1 || (size_t)n > l2) THROW_RANGE(env, "native diffSquares: n outside the arrays");
  K->diff_squares(x, y, n, (double *)out);
  return NULL;
}

static napi_value js_all_finite(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_ALL_FINITE)) return NULL;
  float *x; size_t l; int32_t n;
  if (!f32(env, a.argv[0], &x, &l, 0) || !i32(env, a.argv[1], &n)) return NULL;
  if (n < 0 || (size_t)n > l) THROW_RANGE(env, "native allFinite: n outside the array");
  napi_value r;
  napi_get_boolean(env, K->all_finite(x, n), &r);
  return r;
}

static napi_value js_tanh(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_TANH_ARRAY)) return NULL;
  float *x, *y; size_t l1, l2; int32_t n;
  if (!f32(env, a.argv[0], &x, &l1, 0) || !f32(env, a.argv[1], &y, &l2, 0) || !i32(env, a.argv[2], &n)) return NULL;
  if (n < 0 || (size_t)n > l1 || (size_t)n > l2) THROW_RANGE(env, "native tanh: n outside the arrays");
  K->tanh_array(x, y, n);
  return NULL;
}

/*
 * The conv kernels' batch rows and geometry (argv[2..14]: row0, rows, inC, inH, inW, kH, kW, strideH,
 * strideW, padH, padW, dilH, dilW) into g[13], checked: sizes, strides and dilations ≥ 1, padding ≥ 0, an
 * output of at least 1×1, and the arrays long enough: a (the batch) (row0+rows)·inC·inH·inW floats,
 * b (col) K·rows·P. Returns 0 after throwing.
 */
static int conv_args(napi_env env, args_t *a, const char *what, size_t la, size_t lb, int32_t g[13]) {
  char msg[160];
  for (int i = 0; i < 13; i++) if (!i32(env, a->argv[2 + i], &g[i])) return 0;
  const int32_t row0 = g[0], rows = g[1], in_c = g[2], in_h = g[3], in_w = g[4], k_h = g[5], k_w = g[6];
  int ok = row0 >= 0 && rows >= 0 && in_c >= 1 && in_h >= 1 && in_w >= 1 && k_h >= 1 && k_w >= 1;
  for (int i = 7; i < 13; i++) ok = ok && g[i] >= (i == 9 || i == 10 ? 0 : 1);
  const int64_t nh = ok ? (int64_t)in_h + 2 * (int64_t)g[9] - (int64_t)g[11] * (k_h - 1) - 1 : -1;
  const int64_t nw = ok ? (int64_t)in_w + 2 * (int64_t)g[10] - (int64_t)g[12] * (k_w - 1) - 1 : -1;
  if (!ok || nh < 0 || nw < 0 || nh > INT32_MAX / 2 || nw > INT32_MAX / 2) {
    snprintf(msg, sizeof msg,
             "native %s: invalid geometry (sizes, strides, dilations >= 1, padding >= 0, output >= 1x1)", what);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  /* in double: the products cannot wrap (and are exact below 2^53, far above any array length) */
  const double P = (double)(nh / g[7] + 1) * (double)(nw / g[8] + 1), in_size = (double)in_c * in_h * in_w;
  const double K = (double)in_c * k_h * k_w;
  if ((double)la < ((double)row0 + rows) * in_size || (double)lb < K * rows * P) {
    snprintf(msg, sizeof msg, "native %s: the batch needs (row0+rows)*inSize floats, col K*rows*P", what);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

/* im2col(x, col, row0, rows, inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW) */
static napi_value js_im2col(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_IM2COL)) return NULL;
  float *x, *col; size_t lx, lc; int32_t g[13];
  if (!f32(env, a.argv[0], &x, &lx, 0) || !f32(env, a.argv[1], &col, &lc, 0)) return NULL;
  if (!conv_args(env, &a, "im2col", lx, lc, g)) return NULL;
  K->im2col(x, col, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12]);
  return NULL;
}

/* col2imAdd(col, dx, row0, rows, inC, ...): dx rows += fold(col) */
static napi_value js_col2im_add(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, LRF_ARGC_COL2IM_ADD)) return NULL;
  float *col, *dx; size_t lc, lx; int32_t g[13];
  if (!f32(env, a.argv[0], &col, &lc, 0) || !f32(env, a.argv[1], &dx, &lx, 0)) return NULL;
  if (!conv_args(env, &a, "col2imAdd", lx, lc, g)) return NULL;
  K->col2im_add(col, dx, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12]);
  return NULL;
}

/* peak(iters): FMA probe of the selected ISA; returns the FLOPs it did */
static napi_value js_peak(napi_env env, napi_callback_info info) {
  args_t a; NEED_K(env);
  if (!get_args(env, info, &a, 1)) return NULL;
  double it;
  if (!dbl(env, a.argv[0], &it)) return NULL;
  float sink = 0;
  const double flops = K->peak((int64_t)it, &sink);
  return num(env, flops + (sink == 12345.678f ? 1 : 0)); /* keeps the chains alive */
}

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  if (!K) { napi_value u; napi_get_null(env, &u); return u; }
  return str(env, K->name);
}

static napi_value init_module(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
    {"init", NULL, js_init, NULL, NULL, NULL, napi_enumerable, NULL},
    {"supported", NULL, js_supported, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isa", NULL, js_isa, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
    {"biasAct", NULL, js_bias_act, NULL, NULL, NULL, napi_enumerable, NULL},
    {"actBackward", NULL, js_act_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sumRows", NULL, js_sum_rows, NULL, NULL, NULL, napi_enumerable, NULL},
    {"adam", NULL, js_adam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sgd", NULL, js_sgd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sumSquares", NULL, js_sum_squares, NULL, NULL, NULL, napi_enumerable, NULL},
    {"diffSquares", NULL, js_diff_squares, NULL, NULL, NULL, napi_enumerable, NULL},
    {"allFinite", NULL, js_all_finite, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tanh", NULL, js_tanh, NULL, NULL, NULL, napi_enumerable, NULL},
    {"im2col", NULL, js_im2col, NULL, NULL, NULL, napi_enumerable, NULL},
    {"col2imAdd", NULL, js_col2im_add, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peak", NULL, js_peak, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init_module)
