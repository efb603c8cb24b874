/*
 * The convolution's data movement (im2col, col2im_add). Part of impl.h, included once by each ISA file.
 * The same loops, in the same order, as src/core/conv/im2col.ts (its header gives the layout): im2col is
 * a pure copy, and col2im_add adds into each dx element its (ki, kj) contributions in the TS loop's
 * order, so both give the TS version's bits. Stride-1 runs are memcpy / a plain add loop the compiler
 * vectorises at the ISA's width (-ffp-contract=off: nothing is fused or reordered); the padding edges
 * are the zeroed ends of each output row (im2col) or skipped (col2im_add).
 */
#include <stddef.h>

/* PyTorch's output size; the geometry is checked by the addon (every size ≥ 1, padding ≥ 0) */
static int conv_out_size(int in, int k, int s, int p, int d) { return (in + 2 * p - d * (k - 1) - 1) / s + 1; }

/* [lo, hi): the outputs o whose input o·s + offset lies in [0, in) (im2col.ts validRange) */
static void conv_valid_range(int out, int in, int s, int offset, int *lo, int *hi) {
  int l = offset >= 0 ? 0 : (-offset + s - 1) / s;
  const int num = in - 1 - offset;
  int h = num < 0 ? 0 : num / s + 1;
  if (h > out) h = out;
  if (l > out) l = out;
  if (h < l) h = l;
  *lo = l; *hi = h;
}

static void im2col_impl(const float *x, float *col, int row0, int rows, int in_c, int in_h, int in_w, int k_h, int k_w,
                        int s_h, int s_w, int p_h, int p_w, int d_h, int d_w) {
  const int out_h = conv_out_size(in_h, k_h, s_h, p_h, d_h), out_w = conv_out_size(in_w, k_w, s_w, p_w, d_w);
  const size_t P = (size_t)out_h * out_w, BP = (size_t)rows * P, plane = (size_t)in_h * in_w;
  const size_t in_size = (size_t)in_c * plane;
  for (int c = 0; c < in_c; c++) {
    for (int ki = 0; ki < k_h; ki++) {
      const int off_h = ki * d_h - p_h;
      int oh_lo, oh_hi;
      conv_valid_range(out_h, in_h, s_h, off_h, &oh_lo, &oh_hi);
      for (int kj = 0; kj < k_w; kj++) {
        const int off_w = kj * d_w - p_w;
        int ow_lo, ow_hi;
        conv_valid_range(out_w, in_w, s_w, off_w, &ow_lo, &ow_hi);
        const size_t r = ((size_t)c * k_h + ki) * k_w + kj;
        const size_t run = (size_t)(ow_hi - ow_lo);
        for (int b = 0; b < rows; b++) {
          const float *xb = x + (size_t)(row0 + b) * in_size + (size_t)c * plane;
          float *cb = col + r * BP + (size_t)b * P;
          /* the rows above and below the input: zero */
          if (oh_lo > 0) memset(cb, 0, sizeof(float) * (size_t)oh_lo * out_w);
          if (oh_hi < out_h) memset(cb + (size_t)oh_hi * out_w, 0, sizeof(float) * (size_t)(out_h - oh_hi) * out_w);
          for (int oh = oh_lo; oh < oh_hi; oh++) {
            float *o = cb + (size_t)oh * out_w;
            /* xr + ow·s_w is the input of output ow; only formed for ow in [ow_lo, ow_hi) */
            const float *xr = xb + (ptrdiff_t)(oh * s_h + off_h) * in_w + off_w;
            for (int ow = 0; ow < ow_lo; ow++) o[ow] = 0.0f;
            if (s_w == 1) {
              if (run) memcpy(o + ow_lo, xr + ow_lo, sizeof(float) * run);
            } else {
              for (int ow = ow_lo; ow < ow_hi; ow++) o[ow] = xr[(ptrdiff_t)ow * s_w];
            }
            for (int ow = ow_hi; ow < out_w; ow++) o[ow] = 0.0f;
          }
        }
      }
    }
  }
}

static void col2im_add_impl(const float *col, float *dx, int row0, int rows, int in_c, int in_h, int in_w, int k_h,
                            int k_w, int s_h, int s_w, int p_h, int p_w, int d_h, int d_w) {
  const int out_h = conv_out_size(in_h, k_h, s_h, p_h, d_h), out_w = conv_out_size(in_w, k_w, s_w, p_w, d_w);
  const size_t P = (size_t)out_h * out_w, BP = (size_t)rows * P, plane = (size_t)in_h * in_w;
  const size_t in_size = (size_t)in_c * plane;
  for (int c = 0; c < in_c; c++) {
    for (int ki = 0; ki < k_h; ki++) {
      const int off_h = ki * d_h - p_h;
      int oh_lo, oh_hi;
      conv_valid_range(out_h, in_h, s_h, off_h, &oh_lo, &oh_hi);
      for (int kj = 0; kj < k_w; kj++) {
        const int off_w = kj * d_w - p_w;
        int ow_lo, ow_hi;
        conv_valid_range(out_w, in_w, s_w, off_w, &ow_lo, &ow_hi);
        const size_t r = ((size_t)c * k_h + ki) * k_w + kj;
        for (int b = 0; b < rows; b++) {
          float *xb = dx + (size_t)(row0 + b) * in_size + (size_t)c * plane;
          const float *cb = col + r * BP + (size_t)b * P;
          for (int oh = oh_lo; oh < oh_hi; oh++) {
            const float *o = cb + (size_t)oh * out_w;
            float *xr = xb + (ptrdiff_t)(oh * s_h + off_h) * in_w + off_w;
            if (s_w == 1) {
              /* one output row's run never overlaps itself: distinct ow, distinct input columns */
              float *restrict d = xr + ow_lo;
              const float *restrict s = o + ow_lo;
              const int n = ow_hi - ow_lo;
              for (int i = 0; i < n; i++) d[i] = d[i] + s[i];
            } else {
              for (int ow = ow_lo; ow < ow_hi; ow++) xr[(ptrdiff_t)ow * s_w] = xr[(ptrdiff_t)ow * s_w] + o[ow];
            }
          }
        }
      }
    }
  }
}
