/* The SGD update (sgd). Part of impl.h, included once by each ISA file. */
/* torch.optim.SGD step (src/core/optimizers/sgd.ts), float32 arithmetic */
static void sgd_impl(float *p, const float *g, float *buf, int n, float lr, float mom, float omd, int nesterov, float wd,
                     int first) {
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
