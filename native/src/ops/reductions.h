/* The trainer's reductions (sum_squares, diff_squares, all_finite). Part of impl.h, included once
 * by each ISA file. */
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
