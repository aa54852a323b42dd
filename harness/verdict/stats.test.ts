// The statistics against series computed by hand (arithmetic in the comments)
// and cross-checked with scipy 1.17 (stats.theilslopes, kendalltau, norm).
import { describe, expect, it } from 'vitest';
import {
  autocorrelation,
  blockBootstrapSlopes,
  bootstrapSlopeInterval,
  mad,
  mannKendall,
  mannKendallHamedRao,
  mannKendallVariance,
  median,
  normalCdf,
  normalQuantile,
  pairwiseSlopes,
  quantile,
  ranks,
  senSlopeInterval,
  theilSen,
  theilSenSlope,
} from './stats.ts';
import { createRng } from '../../shared/prng.ts';

const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('descriptive statistics', () => {
  it('median, type-7 quantiles and MAD', () => {
    const v = [4, 100, 1, 3, 2];
    expect(median(v)).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    // sorted 1 2 3 4 100; p=0.25 → h = 4·0.25 = 1 → 2; p=0.9 → h = 3.6 → 4 + 0.6·96 = 61.6
    expect(quantile(v, 0.25)).toBe(2);
    expect(quantile(v, 0.9)).toBeCloseTo(61.6, 12);
    // |v − 3| = 1 97 2 0 1 → median 1
    expect(mad(v)).toBe(1);
  });

  it('average ranks for ties', () => {
    expect(ranks([10, 20, 10, 30, 20, 20])).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });
});

describe('normal distribution', () => {
  // Reference values: scipy.stats.norm.cdf / norm.ppf.
  it.each([
    [-10, 7.61985302416047e-24],
    [-5, 2.866515718791933e-7],
    [-3, 0.0013498980316300933],
    [-1.96, 0.024997895148220435],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1, 0.8413447460685429],
    [3, 0.9986501019683699],
  ])('Φ(%d)', (x, expected) => {
    expect(Math.abs(normalCdf(x) - expected)).toBeLessThan(1e-7 * Math.max(expected, 1e-9) + 1e-15);
  });

  it.each([
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.999999, 4.753424308817087],
  ])('Φ⁻¹(%d)', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 9);
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => normalQuantile(1.5)).toThrow(/p must be in \[0, 1\]/);
  });
});

describe('Theil–Sen and Sen interval', () => {
  // x = 1..5, y = 1 3 2 5 4. Pairwise slopes (i<j):
  //   (1,2) 2  (1,3) 1/2  (1,4) 4/3  (1,5) 3/4  (2,3) −1  (2,4) 1  (2,5) 1/3  (3,4) 3  (3,5) 1  (4,5) −1
  // sorted: −1 −1 1/3 1/2 3/4 1 1 4/3 2 3 → N′ = 10, median (3/4 + 1)/2 = 0.875.
  // S = 8 positive − 2 negative = 6; Var(S) = 5·4·15/18 = 16.667.
  // 80 % interval: C = 1.2815516·√16.667 = 5.231912; M1 = (10 − C)/2 = 2.384044 → between
  // the 2nd (−1) and 3rd (1/3): −1 + 0.384044·4/3 = −0.487941; M2 + 1 = 8.615956 → between
  // the 8th (4/3) and 9th (2): 4/3 + 0.615956·2/3 = 1.743971.
  const x5 = seq(5);
  const y5 = [1, 3, 2, 5, 4];

  it('slope is the median of pairwise slopes', () => {
    expect(Array.from(pairwiseSlopes(x5, y5).sorted)).toEqual([-1, -1, 1 / 3, 0.5, 0.75, 1, 1, 4 / 3, 2, 3]);
    expect(theilSen(x5, y5).slope).toBe(0.875);
  });

  it('interpolated Sen interval at 80 %', () => {
    const ci = senSlopeInterval(x5, y5, { level: 0.8 });
    expect(ci.lower).toBeCloseTo(-0.487941, 5);
    expect(ci.upper).toBeCloseTo(1.743971, 5);
  });

  it('95 % interval clamps to the extreme slopes on a series too short for it', () => {
    // C = 1.959964·4.082483 = 8.0015 → M1 = 0.999 (< 1), M2 + 1 = 10.0008 (> N′): whole range.
    const ci = senSlopeInterval(x5, y5);
    expect([ci.lower, ci.upper]).toEqual([-1, 3]);
  });

  // x = 1..8, y = 2 4 3 6 5 8 7 9: 28 slopes, sorted with multiplicities
  //   −1×3, 1/3×2, 1/2×2, 0.6, 3/4×2, 5/6×2, 1×7, 1.2×2, 4/3×2, 5/3, 2×2, 3×2
  // positions: 1–3 −1 | 4–5 1/3 | 6–7 1/2 | 8 0.6 | 9–10 3/4 | 11–12 5/6 | 13–19 1 | 20–21 1.2 |
  //            22–23 4/3 | 24 5/3 | 25–26 2 | 27–28 3.  Median = mean of 14th and 15th = 1.
  // Intercept: median(y − x) = median(1 2 0 2 0 2 0 1) = 1.
  // S = 25 − 3 = 22, no ties: Var(S) = 8·7·21/18 = 65.333; C = 1.959964·8.082904 = 15.8422,
  // M1 = 6.079 → 6th/7th = 1/2; M2 + 1 = 22.921 → 22nd/23rd = 4/3.  (scipy theilslopes: 1, 1, 0.5, 1.3333.)
  const x8 = seq(8);
  const y8 = [2, 4, 3, 6, 5, 8, 7, 9];

  it('slope, intercept and 95 % interval on n = 8', () => {
    const fit = theilSen(x8, y8);
    expect(fit.slope).toBe(1);
    expect(fit.intercept).toBe(1);
    const ci = senSlopeInterval(x8, y8);
    expect(ci.lower).toBeCloseTo(0.5, 12);
    expect(ci.upper).toBeCloseTo(4 / 3, 12);
    expect(ci.method).toBe('sen');
  });

  it('handles ties in x by skipping those pairs', () => {
    // x = 1 1 2 3, y = 1 2 3 5: pair (1,2) has dx = 0 and is skipped; the others give
    // (1,3) 2, (1,4) 2, (2,3) 1, (2,4) 1.5, (3,4) 2 → sorted 1 1.5 2 2 2 → median 2.
    const fit = theilSen([1, 1, 2, 3], [1, 2, 3, 5]);
    expect(fit.slope).toBe(2);
    expect(fit.pairs).toBe(5);
    expect(fit.tiedPairs).toBe(1);
  });

  it('the selection-based slope (used per bootstrap replicate) equals the sorted median', () => {
    const rng = createRng('select');
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + (trial % 23);
      // Integer-valued y and repeated x values exercise ties in slopes and in x.
      const x = seq(n).map((i) => (trial % 4 === 0 ? Math.ceil(i / 2) : i));
      const y = x.map(() => Math.floor(rng() * 7));
      if (new Set(x).size < 2) continue;
      expect(theilSenSlope(x, y)).toBe(theilSen(x, y).slope);
    }
  });

  it('refuses a series without two distinct x', () => {
    expect(() => theilSen([3, 3, 3], [1, 2, 3])).toThrow(/distinct x/);
  });
});

describe('Mann–Kendall', () => {
  it('S, Var(S), Z and p without ties (n = 8 above)', () => {
    const mk = mannKendall(seq(8), [2, 4, 3, 6, 5, 8, 7, 9]);
    expect(mk.s).toBe(22);
    expect(mk.varS).toBeCloseTo(1176 / 18, 12);
    // Z = (22 − 1)/√65.333 = 2.598076; p = 2·(1 − Φ(Z)) = 0.0093748 (scipy norm.sf).
    expect(mk.z).toBeCloseTo(2.598076211353316, 9);
    expect(mk.p).toBeCloseTo(0.009374768459434876, 7);
  });

  it('ties correction on y = 10 12 12 11 15 15 15 14', () => {
    // Row sums of sign(y_j − y_i), j > i:
    //   10: +7 | 12: 0 −1 +4 → +3 | 12: −1 +4 → +3 | 11: +4 | 15: 0 0 −1 | 15: 0 −1 | 15: −1
    //   S = 7 + 3 + 3 + 4 − 1 − 1 − 1 = 14.
    // Tie groups: {12,12} t = 2, {15,15,15} t = 3.
    //   Var(S) = [8·7·21 − (2·1·9 + 3·2·11)]/18 = (1176 − 84)/18 = 60.667.
    //   Z = 13/√60.667 = 1.669046; p = 0.0951083.
    const mk = mannKendall(seq(8), [10, 12, 12, 11, 15, 15, 15, 14]);
    expect(mk.s).toBe(14);
    expect(mk.varS).toBeCloseTo(1092 / 18, 12);
    expect(mk.varSNoTies).toBeCloseTo(1176 / 18, 12);
    expect(mk.z).toBeCloseTo(1.6690459207925603, 9);
    expect(mk.p).toBeCloseTo(0.09510827950772373, 7);
  });

  it('ties in x enter the variance (Kendall 1970)', () => {
    // x = 1 1 2 3, y = 1 2 3 5: S = 5 (the x-tied pair counts 0);
    // Var = [4·3·13 − 2·1·9 − 0]/18 + 0 + 0 = 138/18 (y has no ties, so the cross terms vanish).
    const mk = mannKendall([1, 1, 2, 3], [1, 2, 3, 5]);
    expect(mk.s).toBe(5);
    expect(mannKendallVariance([1, 1, 2, 3], [1, 2, 3, 5])).toBeCloseTo(138 / 18, 12);
  });
});

describe('Hamed–Rao correction', () => {
  // y = 1 2 3 4 5 6 6 5 4 3 2 1 (n = 12) is a palindrome: every pairwise slope has a mirror
  // of opposite sign, so the Sen slope is 0, S = 0 and the detrended series is y itself.
  // Ranks (ties averaged): 1.5 3.5 5.5 7.5 9.5 11.5 11.5 9.5 7.5 5.5 3.5 1.5, mean 6.5,
  // deviations d = −5 −3 −1 1 3 5 5 3 1 −1 −3 −5, Σd² = 140.
  //   lag 1: Σ d_i d_{i+1} = 15+3−1+3+15+25+15+3−1+3+15 = 95 → ρ1 = 0.678571
  //   lag 2: 5−3−3+5+15+15+5−3−3+5 = 38 → ρ2 = 0.271429
  //   lag 5: −25−15−3+1−3−15−25 = −85 → ρ5 = −0.607143 (lags 3, 4, 6..11: |ρ| < band)
  // band = 1.959964/√12 = 0.565793, so lags 1 and 5 are significant. As in the paper (lags: 'all'):
  //   n/n* = 1 + 2/(12·11·10)·[11·10·9·ρ1 + 7·6·5·ρ5] = 1 + (671.7857 − 127.5)/660 = 1.824675.
  // Var(S) with six tie pairs: (12·11·29 − 6·18)/18 = 206.667 → corrected 377.0996.
  // Default (lags: 'leading'): lag 2 is not significant, so only lag 1 enters:
  //   n/n* = 1 + 671.7857/660 = 2.017857.
  const y = [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1];

  it('rank autocorrelations, significant lags and the n/n* factor', () => {
    const hr = mannKendallHamedRao(seq(12), y, { lags: 'all' });
    expect(hr.s).toBe(0);
    expect(hr.rankAutocorrelation[0]).toBeCloseTo(95 / 140, 12);
    expect(hr.rankAutocorrelation[1]).toBeCloseTo(38 / 140, 12);
    expect(hr.rankAutocorrelation[4]).toBeCloseTo(-85 / 140, 12);
    expect(hr.band).toBeCloseTo(0.5657928670380858, 9);
    expect(hr.significantLags).toEqual([1, 5]);
    expect(hr.factor).toBeCloseTo(1.824675324675325, 9);
    expect(hr.varSUncorrected).toBeCloseTo(3720 / 18, 9);
    expect(hr.varS).toBeCloseTo(377.0995670995671, 6);
  });

  it('by default only the leading run of significant lags enters', () => {
    const hr = mannKendallHamedRao(seq(12), y);
    expect(hr.significantLags).toEqual([1]);
    expect(hr.factor).toBeCloseTo(1 + 94050 / 140 / 660, 9);
    expect(hr.factor).toBeCloseTo(2.017857142857143, 9);
  });

  it('an autocorrelated upward drift loses its significance after the correction', () => {
    // A small trend plus AR(1) noise with φ = 0.9 (seeded): neighbouring residuals are
    // alike, so lag-1 ρ of the detrended ranks is large, the factor must exceed 1 and p grow.
    const rng = createRng(7);
    let e = 0;
    const yy = seq(40).map((i) => {
      const gauss = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      e = 0.9 * e + gauss;
      return 0.05 * i + e;
    });
    const plain = mannKendall(seq(40), yy);
    const hr = mannKendallHamedRao(seq(40), yy);
    expect(hr.factor).toBeGreaterThan(1);
    expect(hr.p).toBeGreaterThan(plain.p);
    expect(hr.varS).toBeCloseTo(plain.varS * hr.factor, 9);
  });

  it('never lets negative autocorrelation shrink the variance unless asked', () => {
    const alternating = seq(20).map((i) => (i % 2 === 0 ? 10 : 0) + i * 0.01);
    const hr = mannKendallHamedRao(seq(20), alternating);
    expect(hr.factorRaw).toBeLessThan(1);
    expect(hr.factor).toBe(1);
    expect(mannKendallHamedRao(seq(20), alternating, { allowDecrease: true }).factor).toBe(hr.factorRaw);
  });

  it('autocorrelation of a constant series is 0, not NaN', () => {
    expect(autocorrelation([5, 5, 5, 5], 2)).toEqual([0, 0]);
  });
});

describe('interval coverage (measured, seeded)', () => {
  it('Sen’s 95 % interval covers the true slope in 90–99 % of 200 iid-noise series (n = 24)', () => {
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const rng = createRng(10_000 + s);
      const x = seq(24).map((i) => i * 20_000);
      const y = x.map((v) => 150 * v + 40_000 * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
      const ci = senSlopeInterval(x, y);
      if (ci.lower <= 150 && ci.upper >= 150) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.9);
    expect(covered / 200).toBeLessThanOrEqual(0.99);
  });
});

describe('moving-block bootstrap', () => {
  it('an exact line has a zero-width interval at its slope', () => {
    const x = seq(7);
    const ci = bootstrapSlopeInterval(x, x.map((v) => 3 * v + 1), { seed: 1 });
    expect(ci.lower).toBe(3);
    expect(ci.upper).toBe(3);
    expect(ci.method).toBe('block-bootstrap');
  });

  it('is reproducible for a seed and varies across seeds', () => {
    const x = seq(9);
    const y = [5, 11, 14, 22, 24, 31, 33, 41, 44];
    const a = bootstrapSlopeInterval(x, y, { seed: 'a' });
    const b = bootstrapSlopeInterval(x, y, { seed: 'a' });
    const c = blockBootstrapSlopes(x, y, { seed: 'c' });
    expect(b).toEqual(a);
    expect(Array.from(c)).not.toEqual(Array.from(blockBootstrapSlopes(x, y, { seed: 'a' })));
    // Residuals are at most ±2.4 around slope 4.9: the interval is narrow and covers it.
    expect(a.lower).toBeLessThan(4.9);
    expect(a.upper).toBeGreaterThan(4.9);
    expect(a.upper - a.lower).toBeLessThan(2);
  });
});
