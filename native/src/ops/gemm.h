/* GEMM (the manifest's gemm): BLIS-style packing and the cache-blocked loop around the ISA's
 * micro_kernel. Part of impl.h, included once by each ISA file. */
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
