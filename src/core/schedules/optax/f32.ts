/**
 * float32 arithmetic as JAX does it (x64 disabled): every jnp operation rounds to float32, Python
 * scalars meeting a jax array are converted to float32 first (weak typing), Python-scalar-only
 * arithmetic stays float64. Doing + − × ÷ in float64 and rounding once is exactly float32's
 * correctly rounded result; cos/pow go through float64 and are rounded once (XLA's float32
 * kernels may differ by an ulp, which is why optax comparisons use 1e-6 relative).
 */
export const f = Math.fround;
export const add = (a: number, b: number): number => f(f(a) + f(b));
export const sub = (a: number, b: number): number => f(f(a) - f(b));
export const mul = (a: number, b: number): number => f(f(a) * f(b));
export const div = (a: number, b: number): number => f(f(a) / f(b));
export const cos = (a: number): number => f(Math.cos(f(a)));
export const PI32 = f(Math.PI);

/**
 * `x ** p` on a float32 array: a Python int exponent goes to lax.integer_pow (binary exponentiation
 * with a float32 rounding per multiply), anything else to lax.pow.
 */
export function pow(x: number, p: number): number {
  if (Number.isInteger(p) && Math.abs(p) <= 64) {
    let n = Math.abs(p);
    let base = f(x);
    let acc = 1;
    let first = true;
    while (n > 0) {
      if (n & 1) {
        acc = first ? base : f(acc * base);
        first = false;
      }
      n >>= 1;
      if (n > 0) base = f(base * base);
    }
    if (first) acc = 1;
    return p < 0 ? f(1 / acc) : acc;
  }
  return f(Math.pow(f(x), f(p)));
}
