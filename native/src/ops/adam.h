/* The Adam/AdamW update (adam). Part of impl.h, included once by each ISA file. */
/* torch.optim.Adam/AdamW step (assembly/adam.ts, float32 arithmetic) */
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
