// Writes examples/houses.csv: 200 synthetic houses, a small regression dataset for the README's
// CSV upload example. Deterministic (mulberry32, seed 12; normal draws by Box–Muller):
//   sqm         ~ Uniform(40, 220), rounded
//   bedrooms    = clamp(round(sqm / 35 + Normal(0, 0.5)), 1, 6)
//   age_years   ~ Uniform(0, 80), rounded
//   distance_km ~ Uniform(0.5, 30), one decimal  (to the city centre)
//   price       = (90 + 3.1·sqm + 12·bedrooms − 1.1·age_years − 5.5·distance_km + Normal(0, 20)) / 100
//                 (in units of 100 000, two decimals: targets of order 1 suit an MSE loss, which the
//                 service does not rescale)
// Run: node examples/make-houses.mjs  (test/examples/houses.test.ts checks the file is this output)
import { writeFileSync } from 'node:fs';

export function houses(rows = 200, seed = 12) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const out = ['sqm,bedrooms,age_years,distance_km,price'];
  for (let i = 0; i < rows; i++) {
    const sqm = Math.round(40 + 180 * uniform());
    const bedrooms = Math.min(6, Math.max(1, Math.round(sqm / 35 + 0.5 * normal())));
    const age = Math.round(80 * uniform());
    const distance = Math.round((0.5 + 29.5 * uniform()) * 10) / 10;
    const price = 90 + 3.1 * sqm + 12 * bedrooms - 1.1 * age - 5.5 * distance + 20 * normal();
    out.push(`${sqm},${bedrooms},${age},${distance},${(price / 100).toFixed(2)}`);
  }
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('./houses.csv', import.meta.url), houses());
}
