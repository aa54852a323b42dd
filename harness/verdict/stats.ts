// Nonparametric trend statistics for checkpoint series. Pure functions, no I/O.
//
// Why these and not least squares: post-GC memory series have outliers (a
// checkpoint that caught a half-finished request, a late finalizer) and are
// autocorrelated (what is retained at checkpoint k is still there at k+1).
// Theil–Sen is robust to ~29 % outliers; Mann–Kendall makes no distributional
// assumption; Hamed–Rao corrects its variance for autocorrelation, without which
// the gate fires on every slowly wandering series.
//
// References
//   Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. JASA 63(324).
//   Theil, H. (1950). A rank-invariant method of linear and polynomial regression analysis.
//   Gilbert, R. O. (1987). Statistical Methods for Environmental Pollution Monitoring, §16.4–16.5.
//   Kendall, M. G. (1970). Rank Correlation Methods, 4th ed. (variance of S with ties in both rankings).
//   Hamed, K. H. & Rao, A. R. (1998). A modified Mann-Kendall trend test for autocorrelated data.
//     J. Hydrology 204, 182–196.
//   Künsch, H. R. (1989). The jackknife and the bootstrap for general stationary observations (moving blocks).
//   Hall, P., Horowitz, J. & Jing, B. (1995). On blocking rules for the bootstrap with dependent data (ℓ ∝ n^{1/3}).
//   Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal distribution.
//   West, G. (2005). Better approximations to cumulative normal functions (Hart 1968 double-precision form).

import { createRng, type Rng } from '../../shared/prng.ts';

// ---------------------------------------------------------------------------
// Descriptive statistics

/** Numeric ascending copy (a typed array sorts numerically; a plain array would sort as strings). */
function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * Quantile of already-sorted values, linear interpolation between order
 * statistics (Hyndman & Fan type 7, the R / numpy default).
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function quantile(values: readonly number[], p: number): number {
  return quantileSorted(sortedCopy(values), p);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation (raw, not scaled by 1.4826). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * Average ranks (1-based), ties receiving the mean of the ranks they span,
 * as in every rank test here.
 */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]!] = avg;
    i = j + 1;
  }
  return out;
}

/** Sizes of the groups of equal values that have more than one member. */
export function tieGroups(values: readonly number[]): number[] {
  const sorted = sortedCopy(values);
  const groups: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) groups.push(run);
      run = 1;
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------
// Normal distribution

/**
 * Standard normal CDF Φ(x), Hart (1968) as given by West (2005): absolute
 * error below 1e-14 over the real line, far better than the ~1e-7 asked for.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  let tail: number;
  if (ax > 37) tail = 0;
  else {
    const e = Math.exp(-(ax * ax) / 2);
    if (ax < 7.07106781186547) {
      let num = 3.52624965998911e-2 * ax + 0.700383064443688;
      num = num * ax + 6.37396220353165;
      num = num * ax + 33.912866078383;
      num = num * ax + 112.079291497871;
      num = num * ax + 221.213596169931;
      num = num * ax + 220.206867912376;
      let den = 8.83883476483184e-2 * ax + 1.75566716318264;
      den = den * ax + 16.064177579207;
      den = den * ax + 86.7807322029461;
      den = den * ax + 296.564248779674;
      den = den * ax + 637.333633378831;
      den = den * ax + 793.826512519948;
      den = den * ax + 440.413735824752;
      tail = (e * num) / den;
    } else {
      // Continued fraction for the far tail.
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      tail = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/**
 * Standard normal quantile Φ⁻¹(p), Wichura's AS 241 (PPND16): relative
 * accuracy about 1e-16 for p in (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
          133.14166789178437745) * r + 3.387132872796366608)) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
        42.313330701600911252) * r + 1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
        4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
        2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    value =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
        5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
        0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -value : value;
}

// ---------------------------------------------------------------------------
// Theil–Sen slope

export interface PairwiseSlopes {
  /** All slopes (y_j − y_i)/(x_j − x_i) over pairs with x_i ≠ x_j, sorted ascending. */
  sorted: Float64Array;
  /** Pairs skipped because x_i = x_j (no slope is defined for them). */
  tiedPairs: number;
}

function assertSeries(x: readonly number[], y: readonly number[], who: string): void {
  if (x.length !== y.length) throw new RangeError(`${who}: x and y differ in length (${x.length} vs ${y.length})`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new RangeError(`${who}: non-finite value at index ${i}`);
    }
  }
}

/**
 * k-th smallest (0-based) of `values`, reordering them in place: Hoare's
 * quickselect, O(n) on average. Bootstrap replicates need only the median of
 * n(n−1)/2 slopes, and sorting them each time made a 200-checkpoint comparison
 * take seconds per signal.
 */
function selectInPlace(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** Median of the pairwise slopes without sorting them (same value as theilSen().slope). */
function medianSlope(x: readonly number[], y: readonly number[], scratch: Float64Array): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - x[i]!;
      if (dx !== 0) scratch[m++] = (y[j]! - y[i]!) / dx;
    }
  }
  const view = scratch.subarray(0, m);
  if (m % 2 === 1) return selectInPlace(view, (m - 1) / 2);
  const upper = selectInPlace(view, m / 2);
  // After selecting index m/2, everything below it is ≤ it: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < m / 2; i++) if (view[i]! > lower) lower = view[i]!;
  return lower + 0.5 * (upper - lower); // same rounding as quantileSorted
}

/** The Theil–Sen slope alone, by selection (no sort): what the bootstrap uses per replicate. */
export function theilSenSlope(x: readonly number[], y: readonly number[]): number {
  assertSeries(x, y, 'theilSenSlope');
  return medianSlope(x, y, new Float64Array((x.length * (x.length - 1)) / 2));
}

export function pairwiseSlopes(x: readonly number[], y: readonly number[]): PairwiseSlopes {
  assertSeries(x, y, 'pairwiseSlopes');
  const n = x.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  let tiedPairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - x[i]!;
      // Ties in x: Sen (1968) defines the estimator over pairs with distinct x only.
      if (dx === 0) tiedPairs++;
      else out[k++] = (y[j]! - y[i]!) / dx;
    }
  }
  const sorted = out.subarray(0, k).sort();
  return { sorted, tiedPairs };
}

export interface TheilSenFit {
  slope: number;
  /** Conover's intercept: median of y − slope·x. */
  intercept: number;
  /** Number of pairwise slopes N′ the median was taken over. */
  pairs: number;
  tiedPairs: number;
}

export function theilSen(x: readonly number[], y: readonly number[]): TheilSenFit {
  const slopes = pairwiseSlopes(x, y);
  if (slopes.sorted.length === 0) throw new RangeError('theilSen: needs at least two points with distinct x');
  const slope = quantileSorted(slopes.sorted, 0.5);
  const intercept = median(y.map((v, i) => v - slope * x[i]!));
  return { slope, intercept, pairs: slopes.sorted.length, tiedPairs: slopes.tiedPairs };
}

// ---------------------------------------------------------------------------
// Mann–Kendall

export interface MannKendall {
  n: number;
  /** S = Σ_{i<j} sign(x_j − x_i)·sign(y_j − y_i): with x strictly increasing, the classic MK S. */
  s: number;
  /** Var(S) under H0 with the ties correction (Kendall 1970, ties in y and in x). */
  varS: number;
  /** Var(S) without any ties correction: n(n−1)(2n+5)/18. */
  varSNoTies: number;
  /** Z with the continuity correction: (S − sign(S)) / √Var(S). */
  z: number;
  /** Two-sided p-value 2·(1 − Φ(|Z|)). */
  p: number;
}

function tieSums(values: readonly number[]): { v: number; t2: number; t3: number } {
  // v = Σ t(t−1)(2t+5), t2 = Σ t(t−1), t3 = Σ t(t−1)(t−2) over tie groups of size t.
  let v = 0;
  let t2 = 0;
  let t3 = 0;
  for (const t of tieGroups(values)) {
    v += t * (t - 1) * (2 * t + 5);
    t2 += t * (t - 1);
    t3 += t * (t - 1) * (t - 2);
  }
  return { v, t2, t3 };
}

/**
 * Var(S) under H0 of no association, Kendall (1970) eq. 4.3, ties in both x and y:
 *   [n(n−1)(2n+5) − Σt(t−1)(2t+5) − Σu(u−1)(2u+5)]/18
 *   + [Σt(t−1)(t−2)]·[Σu(u−1)(u−2)] / [9n(n−1)(n−2)]
 *   + [Σt(t−1)]·[Σu(u−1)] / [2n(n−1)]
 * With no ties in x (the usual MK setting) the last two terms vanish and this is
 * Gilbert's (1987) eq. 16.4.
 */
export function mannKendallVariance(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 3) return (n * (n - 1) * (2 * n + 5)) / 18;
  const tx = tieSums(x);
  const ty = tieSums(y);
  return (
    (n * (n - 1) * (2 * n + 5) - tx.v - ty.v) / 18 +
    (tx.t3 * ty.t3) / (9 * n * (n - 1) * (n - 2)) +
    (tx.t2 * ty.t2) / (2 * n * (n - 1))
  );
}

function mkZ(s: number, varS: number): number {
  if (varS <= 0) return 0;
  return (s - Math.sign(s)) / Math.sqrt(varS);
}

export function mannKendall(x: readonly number[], y: readonly number[]): MannKendall {
  assertSeries(x, y, 'mannKendall');
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(x[j]! - x[i]!) * Math.sign(y[j]! - y[i]!);
  }
  const varS = mannKendallVariance(x, y);
  const z = mkZ(s, varS);
  return { n, s, varS, varSNoTies: (n * (n - 1) * (2 * n + 5)) / 18, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Sample autocorrelation at lags 1..maxLag (lag 0 is 1 by definition and omitted): r[k−1] = ρ_k. */
export function autocorrelation(values: readonly number[], maxLag: number): number[] {
  const n = values.length;
  const m = mean(values);
  let den = 0;
  for (const v of values) den += (v - m) * (v - m);
  const out: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    if (den === 0 || k >= n) {
      out.push(0);
      continue;
    }
    let num = 0;
    for (let i = 0; i + k < n; i++) num += (values[i]! - m) * (values[i + k]! - m);
    out.push(num / den);
  }
  return out;
}

export interface HamedRao extends MannKendall {
  /** Var(S) of the plain test (with ties correction), before the correction. */
  varSUncorrected: number;
  /** n/n* as computed: 1 + 2/[n(n−1)(n−2)]·Σ (n−k)(n−k−1)(n−k−2)·ρ_k over significant lags. */
  factorRaw: number;
  /** The factor applied to Var(S): max(1, factorRaw) unless allowDecrease was set. */
  factor: number;
  /** Lags (1-based) whose rank autocorrelation was significant and entered the sum. */
  significantLags: number[];
  /** Rank autocorrelations ρ_1..ρ_maxLag of the detrended series. */
  rankAutocorrelation: number[];
  /** ±z_{1−α/2}/√n: the band outside which ρ_k counts as significant. */
  band: number;
}

export interface HamedRaoOptions {
  /** Significance level for the lag autocorrelations (Hamed & Rao used 5 %). */
  alpha?: number;
  /** Highest lag considered; default n − 1 as in the paper (terms vanish beyond n − 3). */
  maxLag?: number;
  /**
   * Which significant lags enter the sum.
   *  'leading' (default): the run of consecutive significant lags starting at lag 1.
   *  'all': every significant lag up to maxLag, as in Hamed & Rao (1998).
   * Why 'leading': the sample autocorrelations of a short detrended series sum to
   * −1/2 over all lags (an identity of the estimator), so a strongly autocorrelated
   * series shows "significant" negative values at distant lags that are artefacts;
   * with 'all' they can cancel the lag-1 term and switch the correction off exactly
   * when it matters (measured: AR(1) φ = 0.9, n = 40 → n/n* 0.65 with 'all', 3.0 with 'leading').
   */
  lags?: 'leading' | 'all';
  /**
   * Negative autocorrelation makes n/n* < 1 and the test more liberal. As a leak
   * gate we never want that, so the factor is floored at 1 unless this is set.
   */
  allowDecrease?: boolean;
}

/**
 * Mann–Kendall with the Hamed–Rao (1998) variance correction:
 *  1. detrend with the Theil–Sen slope: e_i = y_i − b·x_i,
 *  2. rank the detrended values, R_i,
 *  3. ρ_k = lag-k autocorrelation of R; keep only lags with |ρ_k| > z_{1−α/2}/√n
 *     (by default only the leading run of such lags: see HamedRaoOptions.lags),
 *  4. n/n* = 1 + 2/[n(n−1)(n−2)] · Σ_k (n−k)(n−k−1)(n−k−2) ρ_k,
 *  5. Var*(S) = Var(S) · n/n*.
 * Points must be ordered by x (time order): lags are taken along that order.
 */
export function mannKendallHamedRao(x: readonly number[], y: readonly number[], options: HamedRaoOptions = {}): HamedRao {
  const base = mannKendall(x, y);
  const n = x.length;
  const alpha = options.alpha ?? 0.05;
  const maxLag = Math.min(options.maxLag ?? n - 1, n - 1);
  let factorRaw = 1;
  let rankAc: number[] = [];
  const significantLags: number[] = [];
  const band = n > 0 ? normalQuantile(1 - alpha / 2) / Math.sqrt(n) : Infinity;
  if (n >= 3) {
    const fit = theilSen(x, y);
    const detrended = y.map((v, i) => v - fit.slope * x[i]!);
    rankAc = autocorrelation(ranks(detrended), maxLag);
    let sum = 0;
    const leadingOnly = (options.lags ?? 'leading') === 'leading';
    for (let k = 1; k <= maxLag; k++) {
      const rho = rankAc[k - 1]!;
      if (Math.abs(rho) > band) {
        significantLags.push(k);
        sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
      } else if (leadingOnly) break;
    }
    factorRaw = 1 + (2 / (n * (n - 1) * (n - 2))) * sum;
  }
  const factor = options.allowDecrease ? factorRaw : Math.max(1, factorRaw);
  const varS = base.varS * factor;
  const z = mkZ(base.s, varS);
  return {
    ...base,
    varSUncorrected: base.varS,
    varS,
    z,
    p: 2 * (1 - normalCdf(Math.abs(z))),
    factorRaw,
    factor,
    significantLags,
    rankAutocorrelation: rankAc,
    band,
  };
}

// ---------------------------------------------------------------------------
// Confidence intervals for the slope

export interface SlopeInterval {
  lower: number;
  upper: number;
  level: number;
  /** 'sen+block-bootstrap': the envelope of both (short series, see trend.ts). */
  method: 'sen' | 'block-bootstrap' | 'sen+block-bootstrap';
}

/** The k-th smallest (1-based, fractional k interpolated) of sorted values, clamped to the ends. */
function orderStatistic(sorted: ArrayLike<number>, k: number): number {
  const n = sorted.length;
  if (k <= 1) return sorted[0]!;
  if (k >= n) return sorted[n - 1]!;
  const lo = Math.floor(k);
  return sorted[lo - 1]! + (k - lo) * (sorted[lo]! - sorted[lo - 1]!);
}

export interface SenIntervalOptions {
  /** Confidence level, default 0.95. */
  level?: number;
  /**
   * Var(S) to use; default the ties-corrected Mann–Kendall variance. Passing the
   * Hamed–Rao corrected variance widens the interval for autocorrelated series.
   */
  varS?: number;
}

/**
 * Sen's (1968) nonparametric interval, Gilbert (1987) §16.5.2:
 *   C_α = z_{1−α/2}·√Var(S),  M1 = (N′ − C_α)/2,  M2 = (N′ + C_α)/2,
 *   lower = M1-th smallest slope, upper = (M2 + 1)-th smallest slope,
 * interpolating between order statistics when M1, M2 are not integers (as
 * Gilbert suggests) and clamping to the extreme slopes when the series is too
 * short for the requested level.
 */
export function senSlopeInterval(x: readonly number[], y: readonly number[], options: SenIntervalOptions = {}): SlopeInterval {
  const level = options.level ?? 0.95;
  const slopes = pairwiseSlopes(x, y);
  const nPrime = slopes.sorted.length;
  if (nPrime === 0) throw new RangeError('senSlopeInterval: needs at least two points with distinct x');
  const varS = options.varS ?? mannKendallVariance(x, y);
  const c = normalQuantile(1 - (1 - level) / 2) * Math.sqrt(varS);
  const m1 = (nPrime - c) / 2;
  const m2 = (nPrime + c) / 2;
  return {
    lower: orderStatistic(slopes.sorted, m1),
    upper: orderStatistic(slopes.sorted, m2 + 1),
    level,
    method: 'sen',
  };
}

export interface BootstrapOptions {
  /** Number of bootstrap replicates, default 2000. */
  replicates?: number;
  /** Block length ℓ; default max(1, round(n^{1/3})) (Hall, Horowitz & Jing 1995). */
  blockLength?: number;
  /** Seed for the replicates (shared/prng.ts): same seed → same interval. */
  seed?: number | string;
  level?: number;
}

/**
 * Moving-block bootstrap replicates of the Theil–Sen slope, resampling the
 * residuals of the fit in overlapping blocks (Künsch 1989) so that short-range
 * dependence survives, and refitting on y* = a + b·x + e*. Residuals, not
 * (x, y) pairs, are resampled so every replicate keeps the design (the x values).
 * The residuals are centred and scaled by √(n/(n−2)) ("modified residuals",
 * Davison & Hinkley 1997 §6.2): raw residuals of a fitted line are smaller than
 * the errors, and the interval came out too narrow without it.
 *
 * Measured coverage of the 95 % percentile interval (200–300 seeded series each):
 * iid noise n = 8: 76 %, n = 24: 86 % (Sen's interval: 95 %, 96 %); AR(1) φ = 0.6:
 * 59–75 %. It is NOT a
 * reliable interval alone at these sizes; trend.ts uses it only together with
 * Sen's interval.
 */
export function blockBootstrapSlopes(x: readonly number[], y: readonly number[], options: BootstrapOptions = {}): Float64Array {
  const n = x.length;
  const fit = theilSen(x, y);
  const raw = y.map((v, i) => v - fit.intercept - fit.slope * x[i]!);
  const centre = mean(raw);
  const inflate = n > 2 ? Math.sqrt(n / (n - 2)) : 1;
  const residuals = raw.map((r) => (r - centre) * inflate);
  const replicates = options.replicates ?? 2000;
  const block = Math.max(1, Math.min(n, options.blockLength ?? Math.round(Math.cbrt(n))));
  const rng: Rng = createRng(options.seed ?? 'theil-sen-block-bootstrap');
  const starts = n - block + 1;
  const out = new Float64Array(replicates);
  const yStar = new Array<number>(n);
  const scratch = new Float64Array((n * (n - 1)) / 2);
  for (let r = 0; r < replicates; r++) {
    let filled = 0;
    while (filled < n) {
      const start = Math.floor(rng() * starts);
      for (let k = 0; k < block && filled < n; k++, filled++) {
        yStar[filled] = fit.intercept + fit.slope * x[filled]! + residuals[start + k]!;
      }
    }
    out[r] = medianSlope(x, yStar, scratch);
  }
  return out.sort();
}

/** Percentile interval from block-bootstrap replicates of the slope. */
export function bootstrapSlopeInterval(x: readonly number[], y: readonly number[], options: BootstrapOptions = {}): SlopeInterval {
  const level = options.level ?? 0.95;
  const reps = blockBootstrapSlopes(x, y, options);
  return {
    lower: quantileSorted(reps, (1 - level) / 2),
    upper: quantileSorted(reps, 1 - (1 - level) / 2),
    level,
    method: 'block-bootstrap',
  };
}
