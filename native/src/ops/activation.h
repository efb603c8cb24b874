/* The fused activations (bias_act, act_backward, tanh_array): the float32 formulas of
 * assembly/activation.ts, operation for operation. Part of impl.h, included once by each ISA file. */
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
    case ACT_SIGMOID:
      for (int i = 0; i < n; i++) { const float s = sigmoid1(z[i]); dz[i] = dy[i] * (s * (1.0f - s)); }
      break;
    default: if (dz != dy) memmove(dz, dy, sizeof(float) * (size_t)n);
  }
}

static void tanh_array_impl(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = tanh1(x[i]);
}
