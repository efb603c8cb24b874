/**
 * Shapes of 2-D convolution and pooling, PyTorch's rules (torch.nn.Conv2d / MaxPool2d / AvgPool2d docs;
 * aten/src/ATen/native/Pool.h pooling_output_shape and pool2d_shape_check; ConvUtils.h conv output size):
 *   out = floor((in + 2·padding − dilation·(kernel − 1) − 1) / stride + 1)      (ceil_mode = false)
 * A row of the batch is one [channels, height, width] tensor stored row-major (NCHW), so a following
 * flatten gives PyTorch's flatten order. Invalid settings come back as a problem sentence (no throw), for
 * the caller to turn into a 400 naming the layer's JSON pointer.
 */

/** An int or an (height, width) pair, as PyTorch's `_pair`. */
export type Pair = number | readonly [number, number];

export interface ImageShape {
  channels: number;
  height: number;
  width: number;
}

/** The 2-D window shared by conv and pooling: kernel, stride, padding, dilation per axis. */
export interface Window2d {
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilH: number;
  dilW: number;
}

/** Everything a kernel needs; sizes are floats per row of the batch. */
export interface Geometry2d extends Window2d {
  inC: number;
  inH: number;
  inW: number;
  outC: number;
  outH: number;
  outW: number;
  /** inC·inH·inW */
  inSize: number;
  /** outC·outH·outW */
  outSize: number;
}

/** conv2d's extra numbers: the im2col matrix is K × P per row of the batch. */
export interface Conv2dGeometry extends Geometry2d {
  /** inC·kH·kW (fan_in; columns of the weight matrix [outC, K]) */
  K: number;
  /** outH·outW (output pixels per channel) */
  P: number;
}

export type GeometryResult<G> = { ok: true; geometry: G } | { ok: false; problem: string };

export interface Conv2dOptions {
  in: ImageShape;
  out_channels: number;
  kernel_size: Pair;
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

export interface Pool2dOptions {
  in: ImageShape;
  kernel_size: Pair;
  /** default: kernel_size (PyTorch's stride=None) */
  stride?: Pair;
  padding?: Pair;
  /** max pooling only (AvgPool2d has none) */
  dilation?: Pair;
}

const pair = (p: Pair): [number, number] => (typeof p === 'number' ? [p, p] : [p[0], p[1]]);
const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

/** floor((size + 2p − d(k−1) − 1)/s) + 1; may be ≤ 0 */
export function outputSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function checkShape(s: ImageShape): string | null {
  for (const [name, v] of [
    ['channels', s.channels],
    ['height', s.height],
    ['width', s.width],
  ] as const) {
    if (!isInt(v, 1)) return `the input ${name} must be an integer ≥ 1, got ${v}`;
  }
  return null;
}

function window(kernel: Pair, stride: Pair, padding: Pair, dilation: Pair): GeometryResult<Window2d> {
  const [kH, kW] = pair(kernel),
    [strideH, strideW] = pair(stride);
  const [padH, padW] = pair(padding),
    [dilH, dilW] = pair(dilation);
  const checks: [string, number, number][] = [
    ['kernel_size', kH, 1],
    ['kernel_size', kW, 1],
    ['stride', strideH, 1],
    ['stride', strideW, 1],
    ['padding', padH, 0],
    ['padding', padW, 0],
    ['dilation', dilH, 1],
    ['dilation', dilW, 1],
  ];
  for (const [name, v, min] of checks) {
    if (!isInt(v, min)) return { ok: false, problem: `${name} must be an integer ≥ ${min}, got ${v}` };
  }
  return { ok: true, geometry: { kH, kW, strideH, strideW, padH, padW, dilH, dilW } };
}

/** The kernel (dilated) against the padded input, then the output size, per axis. */
function fit(w: Window2d, s: ImageShape): { outH: number; outW: number } | string {
  const axes = [
    ['height', s.height, w.kH, w.padH, w.dilH],
    ['width', s.width, w.kW, w.padW, w.dilW],
  ] as const;
  for (const [axis, size, k, p, d] of axes) {
    const span = d * (k - 1) + 1;
    if (span > size + 2 * p) {
      return (
        `the kernel's ${axis} ${span}${d > 1 ? ` (${k} dilated by ${d})` : ''} is larger than the padded input ` +
        `${axis} ${size + 2 * p} (${size} + 2·${p})`
      );
    }
  }
  const outH = outputSize(s.height, w.kH, w.strideH, w.padH, w.dilH);
  const outW = outputSize(s.width, w.kW, w.strideW, w.padW, w.dilW);
  if (outH < 1 || outW < 1) return `the output would be ${outH}×${outW}: too small`;
  return { outH, outW };
}

/** torch.nn.Conv2d(in.channels, out_channels, kernel_size, stride=1, padding=0, dilation=1), padding_mode 'zeros'. */
export function conv2dGeometry(o: Conv2dOptions): GeometryResult<Conv2dGeometry> {
  const bad = checkShape(o.in);
  if (bad) return { ok: false, problem: bad };
  if (!isInt(o.out_channels, 1)) {
    return { ok: false, problem: `out_channels must be an integer ≥ 1, got ${o.out_channels}` };
  }
  const w = window(o.kernel_size, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1);
  if (!w.ok) return w;
  const f = fit(w.geometry, o.in);
  if (typeof f === 'string') return { ok: false, problem: f };
  const { channels: inC, height: inH, width: inW } = o.in;
  const g = w.geometry;
  return {
    ok: true,
    geometry: {
      ...g,
      inC,
      inH,
      inW,
      outC: o.out_channels,
      outH: f.outH,
      outW: f.outW,
      inSize: inC * inH * inW,
      outSize: o.out_channels * f.outH * f.outW,
      K: inC * g.kH * g.kW,
      P: f.outH * f.outW,
    },
  };
}

/**
 * torch.nn.MaxPool2d / AvgPool2d (ceil_mode=False): stride defaults to the kernel; PyTorch's
 * pool2d_shape_check also requires padding ≤ kernel_size / 2 (integer division) per axis.
 */
export function pool2dGeometry(o: Pool2dOptions): GeometryResult<Geometry2d> {
  const bad = checkShape(o.in);
  if (bad) return { ok: false, problem: bad };
  const w = window(o.kernel_size, o.stride ?? o.kernel_size, o.padding ?? 0, o.dilation ?? 1);
  if (!w.ok) return w;
  const g = w.geometry;
  if (g.padH > Math.floor(g.kH / 2) || g.padW > Math.floor(g.kW / 2)) {
    const problem = `padding (${g.padH}, ${g.padW}) must be at most half the kernel_size (${g.kH}, ${g.kW})`;
    return { ok: false, problem };
  }
  const f = fit(g, o.in);
  if (typeof f === 'string') return { ok: false, problem: f };
  const { channels: inC, height: inH, width: inW } = o.in;
  return {
    ok: true,
    geometry: {
      ...g,
      inC,
      inH,
      inW,
      outC: inC,
      outH: f.outH,
      outW: f.outW,
      inSize: inC * inH * inW,
      outSize: inC * f.outH * f.outW,
    },
  };
}
