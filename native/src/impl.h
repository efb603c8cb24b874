/*
 * The instruction-set-independent half of the kernels, included once by each ISA file after it
 * has defined MR, NR (register tile), micro_kernel(), peak_probe() and ISA_NAME. Elementwise
 * kernels are plain C: compiled with -ffp-contract=off and no -ffast-math, so the compiler
 * vectorises them (at the ISA's width) without changing a single rounding.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

/* cache blocking: KC (k block), MC (rows of A per packed block), NC (columns of B per packed block) */
#define KC 256
#define MC 96
#define NC 512

static __thread float *pack_a_buf = NULL; /* MC × KC, in MR-row panels */
static __thread float *pack_b_buf = NULL; /* KC × NC, in NR-column panels */

static int ensure_buffers(void) {
  if (!pack_a_buf) pack_a_buf = aligned_alloc(64, sizeof(float) * (size_t)(MC + MR) * KC);
  if (!pack_b_buf) pack_b_buf = aligned_alloc(64, sizeof(float) * (size_t)(NC + NR) * KC);
  return pack_a_buf && pack_b_buf;
}

/* Ap[panel][p][ii] = op(A)[i0 + panel·MR + ii, p0 + p], zero past the last row */
static void pack_a(int ta, const float *a, int m, int k, int i0, int mc, int p0, int kc, float *ap) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int rows = mc - ir < MR ? mc - ir : MR;
    float *dst = ap + (size_t)ir * kc;
    if (ta) {
      for (int p = 0; p < kc; p++) {
        const float *src = a + (size_t)(p0 + p) * m + i0 + ir;
        float *d = dst + (size_t)p * MR;
        int ii = 0;
        for (; ii < rows; ii++) d[ii] = src[ii];
        for (; ii < MR; ii++) d[ii] = 0.0f;
      }
    } else {
      int ii = 0;
      for (; ii < rows; ii++) {
        const float *src = a + (size_t)(i0 + ir + ii) * k + p0;
        for (int p = 0; p < kc; p++) dst[(size_t)p * MR + ii] = src[p];
      }
      for (; ii < MR; ii++) for (int p = 0; p < kc; p++) dst[(size_t)p * MR + ii] = 0.0f;
    }
  }
}

/* Bp[panel][p][jj] = op(B)[p0 + p, j0 + panel·NR + jj], zero past the last column */
static void pack_b(int tb, const float *b, int n, int k, int p0, int kc, int j0, int nc, float *bp) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int cols = nc - jr < NR ? nc - jr : NR;
    float *dst = bp + (size_t)jr * kc;
    if (!tb) {
      for (int p = 0; p < kc; p++) {
        const float *src = b + (size_t)(p0 + p) * n + j0 + jr;
        float *d = dst + (size_t)p * NR;
        int jj = 0;
        for (; jj < cols; jj++) d[jj] = src[jj];
        for (; jj < NR; jj++) d[jj] = 0.0f;
      }
    } else {
      int jj = 0;
      for (; jj < cols; jj++) {
        const float *src = b + (size_t)(j0 + jr + jj) * k + p0;
        for (int p = 0; p < kc; p++) dst[(size_t)p * NR + jj] = src[p];
      }
      for (; jj < NR; jj++) for (int p = 0; p < kc; p++) dst[(size_t)p * NR + jj] = 0.0f;
    }
  }
}

static void gemm_impl(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c, int accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) memset(c, 0, sizeof(float) * (size_t)m * n);
    return;
  }
  if (!ensure_buffers()) abort();
  float tile[MR * NR] __attribute__((aligned(64)));
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      const int load = accumulate || pc > 0;
      pack_b(tb, b, n, k, pc, kc, jc, nc, pack_b_buf);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = m - ic < MC ? m - ic : MC;
        pack_a(ta, a, m, k, ic, mc, pc, kc, pack_a_buf);
        for (int jr = 0; jr < nc; jr += NR) {
          const int cols = nc - jr < NR ? nc - jr : NR;
          const float *bp = pack_b_buf + (size_t)jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int rows = mc - ir < MR ? mc - ir : MR;
            const float *ap = pack_a_buf + (size_t)ir * kc;
            float *cij = c + (size_t)(ic + ir) * n + jc + jr;
            if (rows == MR && cols == NR) {
              micro_kernel(kc, ap, bp, cij, n, load);
            } else {
              /* edge tile: the same chain on a full tile, then only the valid part is written */
              if (load) {
                for (int ii = 0; ii < rows; ii++) memcpy(tile + ii * NR, cij + (size_t)ii * n, sizeof(float) * cols);
              }
              micro_kernel(kc, ap, bp, tile, NR, load);
              for (int ii = 0; ii < rows; ii++) memcpy(cij + (size_t)ii * n, tile + ii * NR, sizeof(float) * cols);
            }
          }
        }
      }
    }
  }
}

/* ---- activations: the float32 formulas of assembly/fused.ts, operation for operation ---- */

/* tanh in float32, [13/6] rational minimax on [-c, c] (Eigen, Eigen/src/Core/MathFunctionsImpl.h,
 * generic_fast_tanh_float); |x| < 0.0004 → x, |x| ≥ 9 → ±1; NaN stays NaN */
static inline float tanh1(float x) {
  const float c = (float)7.99881172180175781;
  float xc = x < -c ? -c : x;
  xc = xc > c ? c : xc;
  const float x2 = xc * xc;
  float p = x2 * (float)-2.76076847742355e-16 + (float)2.00018790482477e-13;
  p = p * x2 + (float)-8.60467152213735e-11;
  p = p * x2 + (float)5.12229709037114e-08;
  p = p * x2 + (float)1.48572235717979e-05;
  p = p * x2 + (float)6.37261928875436e-04;
  p = p * x2 + (float)4.89352455891786e-03;
  p = p * xc;
  float q = x2 * (float)1.19825839466702e-06 + (float)1.18534705686654e-04;
  q = q * x2 + (float)2.26843463243900e-03;
  q = q * x2 + (float)4.89352518554385e-03;
  float r = p / q;
  const float ax = fabsf(x);
  r = ax >= 9.0f ? copysignf(1.0f, x) : r;
  return ax < 0.0004f ? x : r;
}

static inline float sigmoid1(float x) { return 0.5f + 0.5f * tanh1(x * 0.5f); }

static void bias_act_impl(float *z, float *y, const float *bias, int rows, int cols, int act) {
  for (int r = 0; r < rows; r++) {
    float *zr = z + (size_t)r * cols, *yr = y + (size_t)r * cols;
    if (bias) for (int j = 0; j < cols; j++) zr[j] = zr[j] + bias[j];
    switch (act) {
      case ACT_RELU: for (int j = 0; j < cols; j++) { const float v = zr[j]; yr[j] = v > 0.0f ? v : 0.0f; } break;
      case ACT_TANH: for (int j = 0; j < cols; j++) yr[j] = tanh1(zr[j]); break;
      case ACT_SIGMOID: for (int j = 0; j < cols; j++) yr[j] = sigmoid1(zr[j]); break;
      default: if (yr != zr) memmove(yr, zr, sizeof(float) * cols);
    }
  }
}

static void act_backward_impl(const float *dy, const float *z, float *dz, int n, int act) {
  switch (act) {
    case ACT_RELU: for (int i = 0; i < n; i++) dz[i] = dy[i] * (z[i] > 0.0f ? 1.0f : 0.0f); break;
    case ACT_TANH: for (int i = 0; i < n; i++) { const float t = tanh1(z[i]); dz[i] = dy[i] * (1.0f - t * t); } break;
    case ACT_SIGMOID: for (int i = 0; i < n; i++) { const float s = sigmoid1(z[i]); dz[i] = dy[i] * (s * (1.0f - s)); } break;
    default: if (dz != dy) memmove(dz, dy, sizeof(float) * (size_t)n);
  }
}

/* db[j] = Σ_r dz[r, j], float32, r ascending */
static void sum_rows_impl(const float *dz, float *db, int rows, int cols) {
  for (int j = 0; j < cols; j++) db[j] = 0.0f;
  for (int r = 0; r < rows; r++) {
    const float *row = dz + (size_t)r * cols;
    for (int j = 0; j < cols; j++) db[j] = db[j] + row[j];
  }
}

/* torch.optim.Adam/AdamW step (assembly/fused.ts adam, float32 arithmetic) */
static void adam_impl(float *p, const float *g, float *m, float *v, int n, float om1, float b2, float om2,
                      float ss, float bc2_sqrt, float eps, float wd, float shrink) {
  const float inv = 1.0f / bc2_sqrt;
  for (int i = 0; i < n; i++) {
    const float pi = p[i] * shrink;
    const float gi = g[i] + wd * pi;
    const float mi = m[i] + om1 * (gi - m[i]);
    const float vi = b2 * v[i] + om2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    const float denom = sqrtf(vi) * inv + eps;
    p[i] = pi - ss * (mi / denom);
  }
}

/* torch.optim.SGD step (src/core/optimizers/sgd.ts), float32 arithmetic */
static void sgd_impl(float *p, const float *g, float *buf, int n, float lr, float mom, float omd, int nesterov, float wd, int first) {
  for (int i = 0; i < n; i++) {
    float d = g[i];
    if (wd != 0.0f) d = d + wd * p[i];
    if (mom != 0.0f) {
      const float bb = first ? d : mom * buf[i] + omd * d;
      buf[i] = bb;
      d = nesterov ? d + mom * bb : bb;
    }
    p[i] = p[i] - lr * d;
  }
}

/* Σ x² in float64 over 8 fixed partial sums (element i → sum i mod 8), combined pairwise */
static double sum_squares_impl(const float *x, int n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) { const double v = x[i + l]; s[l] += v * v; }
  for (; i < n; i++) { const double v = x[i]; s[i & 7] += v * v; }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* Σ(a-b)² and Σb², float64, the same 8 fixed partial sums as sum_squares_impl; two passes, each of
 * which the compiler vectorises (one fused loop with both sums did not vectorise: 10× slower) */
static void diff_squares_impl(const float *a, const float *b, int n, double *out) {
  double d[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) { const double dv = (double)a[i + l] - (double)b[i + l]; d[l] += dv * dv; }
  for (; i < n; i++) { const double dv = (double)a[i] - (double)b[i]; d[i & 7] += dv * dv; }
  out[0] = ((d[0] + d[1]) + (d[2] + d[3])) + ((d[4] + d[5]) + (d[6] + d[7]));
  out[1] = sum_squares_impl(b, n);
}

/* 1 when no x[i] has an all-ones exponent (±Inf, NaN) */
static int all_finite_impl(const float *x, int n) {
  const uint32_t *u = (const uint32_t *)x;
  uint32_t bad = 0;
  for (int i = 0; i < n; i++) bad |= (uint32_t)((u[i] & 0x7f800000u) == 0x7f800000u);
  return bad == 0;
}

static void tanh_array_impl(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = tanh1(x[i]);
}
