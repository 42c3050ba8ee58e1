//! Two-sample statistics for the expression language: the Mann-Whitney U
//! test and the Hodges-Lehmann shift estimate with its distribution-free
//! confidence interval. docs/runbook.md ("Statistics") states the exact
//! formulas; tests compare them with reference values computed by scipy.
//!
//! Everything works on the two windows' samples sorted once; the pairwise
//! differences are never materialised: order statistics of the m*n
//! differences are selected in O((m + n) log(mn)) expected time.

/// Fewer samples than this on either side make every statistic Unknown.
pub const MIN_SAMPLES: usize = 20;

/// The standard normal quantile for a two-sided 95% interval.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Everything one `(A, B, window)` call needs, computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoSample {
    /// Samples of A in the window.
    pub n_a: usize,
    /// Samples of B in the window.
    pub n_b: usize,
    /// Hodges-Lehmann estimate of A - B.
    pub shift: f64,
    /// Lower two-sided 95% confidence bound of the shift.
    pub lo: f64,
    /// Upper two-sided 95% confidence bound of the shift.
    pub hi: f64,
    /// Two-sided Mann-Whitney U p-value (normal approximation, tie-corrected,
    /// with continuity correction).
    pub p: f64,
    /// U statistic of A (number of pairs with a > b, ties counting one half).
    pub u_a: f64,
}

/// The statistics of samples `a` and `b` (any order, finite values), or
/// `None` when either side has fewer than [`MIN_SAMPLES`] samples.
pub fn two_sample(a: &[f64], b: &[f64]) -> Option<TwoSample> {
    if a.len() < MIN_SAMPLES || b.len() < MIN_SAMPLES || a.iter().chain(b).any(|v| !v.is_finite()) {
        return None;
    }
    let mut x = a.to_vec();
    let mut y = b.to_vec();
    x.sort_unstable_by(f64::total_cmp);
    y.sort_unstable_by(f64::total_cmp);
    Some(two_sample_sorted(&x, &y))
}

/// [`two_sample`] on sorted, non-empty samples, without the minimum-size rule.
pub fn two_sample_sorted(x: &[f64], y: &[f64]) -> TwoSample {
    let (m, n) = (x.len(), y.len());
    let u = mann_whitney(x, y);
    let mn = (m * n) as u64;
    let diffs = Diffs::new(x, y);
    let shift = if !mn.is_multiple_of(2) {
        diffs.select(mn / 2)
    } else {
        (diffs.select(mn / 2 - 1) + diffs.select(mn / 2)) / 2.0
    };
    let k = ci_rank(m, n, u.sigma);
    TwoSample {
        n_a: m,
        n_b: n,
        shift,
        lo: diffs.select(k - 1),
        hi: diffs.select(mn - k),
        p: u.p,
        u_a: u.u,
    }
}

/// The 1-based rank k of the lower bound: the interval is [D(k), D(mn+1-k)]
/// of the sorted differences, k = floor(mn/2 - z * sigma + 1/2) (the normal
/// approximation of U's null distribution with continuity correction,
/// sigma tie-corrected), at least 1 and at most ceil(mn/2).
pub fn ci_rank(m: usize, n: usize, sigma: f64) -> u64 {
    let mn = (m * n) as f64;
    let k = (mn / 2.0 - Z_975 * sigma + 0.5).floor();
    let max = (mn / 2.0).ceil();
    k.clamp(1.0, max.max(1.0)) as u64
}

struct MannWhitney {
    u: f64,
    sigma: f64,
    p: f64,
}

/// U of `x`, its tie-corrected null standard deviation and the two-sided
/// p-value with continuity correction (as scipy.stats.mannwhitneyu with
/// `method="asymptotic", use_continuity=True`).
fn mann_whitney(x: &[f64], y: &[f64]) -> MannWhitney {
    let (m, n) = (x.len(), y.len());
    let total = (m + n) as f64;
    // merge the two sorted samples, ranking tie groups by their mid-rank
    let (mut i, mut j) = (0, 0);
    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut seen = 0usize;
    while i < m || j < n {
        let v = match (x.get(i), y.get(j)) {
            (Some(a), Some(b)) => a.min(*b),
            (Some(a), None) => *a,
            (None, Some(b)) => *b,
            (None, None) => break,
        };
        let (mut cx, mut cy) = (0usize, 0usize);
        while x.get(i) == Some(&v) {
            i += 1;
            cx += 1;
        }
        while y.get(j) == Some(&v) {
            j += 1;
            cy += 1;
        }
        let t = (cx + cy) as f64;
        let mid = seen as f64 + (t + 1.0) / 2.0;
        rank_sum_x += cx as f64 * mid;
        tie_term += t * t * t - t;
        seen += cx + cy;
    }
    let (mf, nf) = (m as f64, n as f64);
    let u = rank_sum_x - mf * (mf + 1.0) / 2.0;
    let mu = mf * nf / 2.0;
    let var = mf * nf / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    let sigma = var.max(0.0).sqrt();
    let big = u.max(mf * nf - u);
    let p = if sigma > 0.0 {
        let z = (big - mu - 0.5) / sigma;
        (2.0 * normal_sf(z)).clamp(0.0, 1.0)
    } else {
        // every sample equal: no evidence of any difference
        1.0
    };
    MannWhitney { u, sigma, p }
}

/// Upper tail of the standard normal distribution.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// The m*n differences x[i] - y[j] of two sorted samples, as a matrix sorted
/// along both axes (rows by x ascending, columns by y descending), never
/// materialised.
struct Diffs<'a> {
    x: &'a [f64],
    y: &'a [f64],
}

impl<'a> Diffs<'a> {
    fn new(x: &'a [f64], y: &'a [f64]) -> Self {
        Diffs { x, y }
    }

    /// Row i, column j: columns run over y from largest to smallest, so
    /// every row and every column is non-decreasing (float subtraction
    /// rounds monotonically).
    fn at(&self, i: usize, j: usize) -> f64 {
        self.x[i] - self.y[self.y.len() - 1 - j]
    }

    /// For each row, how many of its columns hold a value `< p` (or `<= p`
    /// when `inclusive`), walking the monotone boundary in O(m + n).
    fn boundary(&self, p: f64, inclusive: bool, out: &mut [usize]) {
        let n = self.y.len();
        let mut j = n;
        for (i, slot) in out.iter_mut().enumerate() {
            // the boundary only moves left as rows grow
            while j > 0 {
                let v = self.at(i, j - 1);
                let below = if inclusive { v <= p } else { v < p };
                if below {
                    break;
                }
                j -= 1;
            }
            *slot = j;
        }
    }

    /// The element of 0-based rank `k` among all m*n differences.
    /// Randomised selection on the sorted matrix (a pivot drawn from the
    /// columns still in play, rows narrowed to the side holding rank k):
    /// O((m + n) log(mn)) expected; deterministic through a fixed seed.
    fn select(&self, k: u64) -> f64 {
        let (m, n) = (self.x.len(), self.y.len());
        let mut lo = vec![0usize; m];
        let mut hi = vec![n; m];
        let mut lt = vec![0usize; m];
        let mut le = vec![0usize; m];
        let mut rng = SplitMix(0x5EED_CAFE_F00D_D00D);
        loop {
            let active: u64 = lo.iter().zip(&hi).map(|(a, b)| (b - a) as u64).sum();
            let below: u64 = lo.iter().map(|&a| a as u64).sum();
            if active <= (m + n) as u64 * 2 {
                let mut rest: Vec<f64> = (0..m)
                    .flat_map(|i| (lo[i]..hi[i]).map(move |j| (i, j)))
                    .map(|(i, j)| self.at(i, j))
                    .collect();
                let at = (k.saturating_sub(below) as usize).min(rest.len().saturating_sub(1));
                let (_, v, _) = rest.select_nth_unstable_by(at, f64::total_cmp);
                return *v;
            }
            // a uniformly drawn element still in play
            let mut r = rng.below(active);
            let mut pivot = f64::NAN;
            for i in 0..m {
                let w = (hi[i] - lo[i]) as u64;
                if r < w {
                    pivot = self.at(i, lo[i] + r as usize);
                    break;
                }
                r -= w;
            }
            self.boundary(pivot, false, &mut lt);
            self.boundary(pivot, true, &mut le);
            for (((a, b), l), h) in lt.iter_mut().zip(le.iter_mut()).zip(&lo).zip(&hi) {
                *a = (*a).clamp(*l, *h);
                *b = (*b).clamp(*l, *h);
            }
            let n_lt: u64 = lt.iter().map(|&v| v as u64).sum();
            let n_le: u64 = le.iter().map(|&v| v as u64).sum();
            if k < n_lt {
                hi.copy_from_slice(&lt);
            } else if k < n_le {
                return pivot;
            } else {
                lo.copy_from_slice(&le);
            }
        }
    }
}

/// splitmix64: a tiny deterministic generator for pivot draws.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // bound is at most m*n, far below 2^64: the modulo bias is negligible
        z % bound.max(1)
    }
}

/// Brute force over every pair, for tests and benchmarks: all differences
/// sorted, ranks counted pair by pair. Quadratic; never used by the cockpit.
pub fn two_sample_brute(a: &[f64], b: &[f64]) -> TwoSample {
    let mut d: Vec<f64> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| x - y))
        .collect();
    d.sort_unstable_by(f64::total_cmp);
    let mn = d.len();
    let shift = if !mn.is_multiple_of(2) {
        d[mn / 2]
    } else {
        (d[mn / 2 - 1] + d[mn / 2]) / 2.0
    };
    let mut x = a.to_vec();
    let mut y = b.to_vec();
    x.sort_unstable_by(f64::total_cmp);
    y.sort_unstable_by(f64::total_cmp);
    let u = mann_whitney(&x, &y);
    let k = ci_rank(a.len(), b.len(), u.sigma) as usize;
    TwoSample {
        n_a: a.len(),
        n_b: b.len(),
        shift,
        lo: d[k - 1],
        hi: d[mn - k],
        p: u.p,
        u_a: a
            .iter()
            .flat_map(|x| b.iter().map(move |y| (x, y)))
            .map(|(x, y)| match x.partial_cmp(y) {
                Some(std::cmp::Ordering::Greater) => 1.0,
                Some(std::cmp::Ordering::Less) => 0.0,
                _ => 0.5,
            })
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn below_the_minimum_there_is_no_answer() {
        let a: Vec<f64> = (0..19).map(f64::from).collect();
        let b: Vec<f64> = (0..40).map(f64::from).collect();
        assert_eq!(two_sample(&a, &b), None);
        assert_eq!(two_sample(&b, &a), None);
        assert!(two_sample(&b, &b).is_some());
    }

    #[test]
    fn a_clear_shift_is_found_with_an_interval_around_it() {
        let a: Vec<f64> = (0..50).map(|i| 100.0 + f64::from(i % 10)).collect();
        let b: Vec<f64> = (0..50).map(|i| 60.0 + f64::from(i % 10)).collect();
        let t = two_sample(&a, &b).expect("enough samples");
        assert_eq!(t.shift, 40.0);
        assert!(t.lo <= 40.0 && 40.0 <= t.hi, "{t:?}");
        assert!(t.p < 1e-10, "{t:?}");
    }

    #[test]
    fn the_upper_bound_of_600_by_600_matches_brute_force() {
        let a: Vec<f64> = (0..600)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.37)
            .collect();
        let b: Vec<f64> = (0..600)
            .map(|i| ((i * 104_729) % 997) as f64 * 0.35)
            .collect();
        let fast = two_sample(&a, &b).expect("enough samples");
        let slow = two_sample_brute(&a, &b);
        assert_eq!(fast, slow);
    }

    fn sample(ties: bool) -> impl Strategy<Value = Vec<f64>> {
        if ties {
            prop::collection::vec((0i32..6).prop_map(f64::from), 20..60).boxed()
        } else {
            prop::collection::vec(-1e4f64..1e4, 20..60).boxed()
        }
    }

    proptest! {
        #[test]
        fn selection_matches_sorting_every_difference(
            ties in any::<bool>(),
            (a, b) in any::<bool>().prop_flat_map(|t| (sample(t), sample(!t))),
        ) {
            let (a, b) = if ties { (a, b) } else { (b, a) };
            let fast = two_sample(&a, &b).expect("at least 20 each");
            let slow = two_sample_brute(&a, &b);
            prop_assert_eq!(fast.shift, slow.shift);
            prop_assert_eq!(fast.lo, slow.lo);
            prop_assert_eq!(fast.hi, slow.hi);
            prop_assert!(close(fast.u_a, slow.u_a), "{} vs {}", fast.u_a, slow.u_a);
            prop_assert!(fast.lo <= fast.shift && fast.shift <= fast.hi);
            prop_assert!((0.0..=1.0).contains(&fast.p));
        }

        #[test]
        fn shifting_one_sample_shifts_the_estimate_and_its_interval(
            a in sample(false), b in sample(true), c in -500i32..500,
        ) {
            let c = f64::from(c);
            let moved: Vec<f64> = a.iter().map(|x| x + c).collect();
            let t0 = two_sample(&a, &b).expect("enough");
            let t1 = two_sample(&moved, &b).expect("enough");
            prop_assert!((t1.shift - t0.shift - c).abs() < 1e-6);
            prop_assert!((t1.hi - t0.hi - c).abs() < 1e-6);
            prop_assert!((t1.lo - t0.lo - c).abs() < 1e-6);
        }

        #[test]
        fn swapping_the_sides_negates_the_shift_and_keeps_the_p_value(
            a in sample(true), b in sample(false),
        ) {
            let ab = two_sample(&a, &b).expect("enough");
            let ba = two_sample(&b, &a).expect("enough");
            prop_assert_eq!(ab.shift, -ba.shift);
            prop_assert_eq!(ab.lo, -ba.hi);
            prop_assert!(close(ab.p, ba.p));
        }
    }
}
