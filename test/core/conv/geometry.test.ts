/** Output sizes by PyTorch's formula (values checked against torch 1.13's nn.Conv2d / MaxPool2d) and the problems. */
import { describe, expect, it } from 'vitest';
import { conv2dGeometry, outputSize, pool2dGeometry } from '../../../src/core/conv/geometry.js';

const img = (channels: number, height: number, width: number) => ({ channels, height, width });

describe('conv2dGeometry', () => {
  it('LeNet: 1×28×28, k5 pad 2 → 6×28×28; 6×14×14, k5 → 16×10×10', () => {
    const a = conv2dGeometry({ in: img(1, 28, 28), out_channels: 6, kernel_size: 5, padding: 2 });
    const A = a.ok ? a.geometry : null;
    expect(A && [A.outC, A.outH, A.outW, A.K, A.P]).toEqual([6, 28, 28, 25, 784]);
    const b = conv2dGeometry({ in: { channels: 6, height: 14, width: 14 }, out_channels: 16, kernel_size: 5 });
    expect(b.ok && [b.geometry.outSize, b.geometry.K]).toEqual([1600, 150]);
  });

  it('stride, padding, dilation per axis (torch: Conv2d(2,3,(2,3),(2,1),(1,0),dilation=(1,2)) on 8×11 → 5×7)', () => {
    const g = conv2dGeometry({
      in: { channels: 2, height: 8, width: 11 },
      out_channels: 3,
      kernel_size: [2, 3],
      stride: [2, 1],
      padding: [1, 0],
      dilation: [1, 2],
    });
    expect(g.ok && [g.geometry.outH, g.geometry.outW]).toEqual([5, 7]);
    // floor((10 + 4 − 2·2 − 1)/1 + 1) = 10; floor((9 + 2 − 2 − 1)/2 + 1) = 5
    expect(outputSize(10, 3, 1, 2, 2)).toBe(10);
    expect(outputSize(9, 3, 2, 1, 1)).toBe(5);
  });

  it('a kernel larger than the padded input is a problem naming both sizes', () => {
    const g = conv2dGeometry({ in: { channels: 1, height: 4, width: 9 }, out_channels: 2, kernel_size: 5, padding: 0 });
    const problem = expect.stringMatching(/kernel's height 5 is larger than the padded input height 4/);
    expect(g).toEqual({ ok: false, problem });
    const d = conv2dGeometry({ in: img(1, 9, 9), out_channels: 2, kernel_size: 3, dilation: 5 });
    expect(d.ok ? '' : d.problem).toMatch(/11 \(3 dilated by 5\)/);
    expect(conv2dGeometry({ in: img(1, 4, 4), out_channels: 2, kernel_size: 5, padding: 1 }).ok).toBe(true);
  });

  it('invalid sizes are problems', () => {
    const base = { in: { channels: 1, height: 8, width: 8 }, out_channels: 2, kernel_size: 3 };
    expect(conv2dGeometry({ ...base, stride: 0 }).ok).toBe(false);
    expect(conv2dGeometry({ ...base, padding: -1 }).ok).toBe(false);
    expect(conv2dGeometry({ ...base, kernel_size: 2.5 }).ok).toBe(false);
    expect(conv2dGeometry({ ...base, out_channels: 0 }).ok).toBe(false);
    expect(conv2dGeometry({ ...base, in: { channels: 0, height: 8, width: 8 } }).ok).toBe(false);
  });
});

describe('pool2dGeometry', () => {
  it('stride defaults to the kernel; LeNet 6×28×28 → 6×14×14', () => {
    const g = pool2dGeometry({ in: { channels: 6, height: 28, width: 28 }, kernel_size: 2 });
    expect(g.ok && [g.geometry.strideH, g.geometry.outC, g.geometry.outH, g.geometry.outW]).toEqual([2, 6, 14, 14]);
    const odd = pool2dGeometry({ in: { channels: 1, height: 7, width: 8 }, kernel_size: 3, stride: 2, padding: 1 });
    expect(odd.ok && [odd.geometry.outH, odd.geometry.outW]).toEqual([4, 4]);
  });

  it('padding above half the kernel is a problem (torch: "pad should be at most half of kernel size")', () => {
    const g = pool2dGeometry({ in: { channels: 1, height: 8, width: 8 }, kernel_size: 3, padding: 2 });
    expect(g.ok ? '' : g.problem).toMatch(/at most half the kernel_size/);
    expect(pool2dGeometry({ in: { channels: 1, height: 8, width: 8 }, kernel_size: 2, padding: 1 }).ok).toBe(true);
  });

  it('a window larger than the input is a problem', () => {
    expect(pool2dGeometry({ in: { channels: 1, height: 1, width: 8 }, kernel_size: 2 }).ok).toBe(false);
  });
});
