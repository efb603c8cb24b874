// The bias gradient (128-bit SIMD).
// Pointers are byte offsets; every loop has a SIMD body over 4 floats and a scalar tail, so any n
// and any 4-byte alignment work. The signature is the backend contract's (src/core/kernels/manifest.ts).

/** db[j] = Σ_r dz[r, j] (float32 accumulation, 4 columns per vector). */
export function sumRows(dz: usize, db: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let j = 0; j < c4; j += 4) {
    let acc = f32x4.splat(0);
    let src = dz + (<usize>j << 2);
    const stride = <usize>cols << 2;
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(src));
      src += stride;
    }
    v128.store(db + (<usize>j << 2), acc);
  }
  for (let j = c4; j < cols; j++) {
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(dz + ((<usize>r * <usize>cols + <usize>j) << 2));
    store<f32>(db + (<usize>j << 2), s);
  }
}
