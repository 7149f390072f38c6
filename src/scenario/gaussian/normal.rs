//! Standard normal draws from any `RngCore`, written here because the crate
//! takes no distribution dependency and both collapse scenarios spend most of
//! their time drawing normals.
//!
//! Marsaglia and Tsang's ziggurat (J. Stat. Softw. 2000) with 128 layers of
//! equal area: about 99% of draws cost one `u64`, one multiply and one
//! comparison; the rest fall back to an exact rejection step or, beyond
//! R = 3.44, to Marsaglia's exponential tail method.

use rand::RngCore;

/// 2^-53: maps the top 53 bits of a `u64` onto `[0, 1)` exactly.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// Where the base layer's rectangle ends and the tail begins.
const R: f64 = 3.442619855899;

/// The area of each layer (and of the base layer with its tail).
#[cfg(test)]
const LAYER_AREA: f64 = 9.91256303526217e-3;

/// Layer edges: layer i covers |x| < EDGES[i] between heights f(EDGES[i])
/// and f(EDGES[i + 1]), f(x) = exp(-x^2/2). EDGES[0] = area / f(R) is the
/// base layer's virtual width, EDGES[1] = R, EDGES[128] = 0; the rest follow
/// EDGES[i + 1] = f^-1(f(EDGES[i]) + area / EDGES[i]). The test
/// `edges_follow_their_recurrence` recomputes them.
#[rustfmt::skip]
const EDGES: [f64; 129] = [
    3.7130862467425505, 3.442619855899, 3.2230849845811416, 3.0832288582168683,
    2.9786962526477803, 2.894344007021529, 2.8231253505489105, 2.761169372387177,
    2.7061135731218195, 2.6564064112613597, 2.6109722484318474, 2.569033625924938,
    2.5300096723888275, 2.493454522095372, 2.4590181774118305, 2.42642064553375,
    2.3954342780110625, 2.3658713701176386, 2.3375752413392368, 2.310413683698763,
    2.2842740596774718, 2.2590595738691985, 2.2346863955909795, 2.2110814088787034,
    2.188180432076049, 2.165926793748922, 2.1442701823603953, 2.1231657086739766,
    2.1025731351892385, 2.082456237992017, 2.0627822745083084, 2.0435215366550676,
    2.0246469733773855, 2.006133869963472, 1.98795957412762, 1.9701032608543265,
    1.9525457295535567, 1.9352692282966228, 1.9182573008645099, 1.901494653105151,
    1.884967035707759, 1.8686611409944887, 1.8525645117280911, 1.836665460258446,
    1.8209529965961255, 1.8054167642192285, 1.7900469825998586, 1.7748343955860695,
    1.7597702248995934, 1.7448461281138004, 1.7300541605637305, 1.7153867407136676,
    1.7008366185699169, 1.6863968467791681, 1.672060754097601, 1.6578219209540241,
    1.6436741568628686, 1.6296114794706347, 1.615628095043161, 1.6017183802213781,
    1.5878768648905761, 1.5740982160230008, 1.560377222366169, 1.5467087798599104,
    1.5330878776740433, 1.5195095847659401, 1.5059690368632033, 1.492461423781354,
    1.4789819769899242, 1.4655259573427108, 1.4520886428892246, 1.4386653166845635,
    1.42525125451406, 1.4118417124470577, 1.3984319141310053, 1.3850170377326518,
    1.3715922024273426, 1.3581524543301435, 1.344692751753547, 1.3312079496656273,
    1.317692783209414, 1.3041418501286168, 1.2905495919261964, 1.2769102735601556,
    1.263217961454621, 1.2494664995730682, 1.2356494832633627, 1.2217602305399964,
    1.2077917504159497, 1.1937367078331287, 1.1795873846639882, 1.1653356361647524,
    1.1509728421488674, 1.1364898520131608, 1.1218769225825422, 1.107123647534036,
    1.0922188769072774, 1.0771506248928957, 1.0619059636948243, 1.0464709007640454,
    1.0308302360681956, 1.0149673952513305, 0.9988642334929836, 0.982500803515429,
    0.9658550794011499, 0.9489026255113064, 0.9316161966151508, 0.9139652510230323,
    0.8959153525809377, 0.8774274291129234, 0.8584568431938132, 0.8389522142975774,
    0.8188539067003573, 0.7980920606440569, 0.7765839878947599, 0.7542306644540556,
    0.7309119106424888, 0.7064796113354365, 0.6807479186691546, 0.6534786387399752,
    0.6243585973360507, 0.5929629424714483, 0.5586921784081852, 0.5206560387620606,
    0.4774378372966898, 0.4265479863554235, 0.36287143109703196, 0.27232086481396467,
    0.0,
];

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * UNIT
}

#[inline]
fn density(x: f64) -> f64 {
    (-0.5 * x * x).exp()
}

/// One standard normal draw.
#[inline]
pub fn standard_normal<G: RngCore + ?Sized>(rng: &mut G) -> f64 {
    loop {
        let bits = rng.next_u64();
        // Low 7 bits pick the layer, the top 53 the position: disjoint bits.
        let layer = (bits & 0x7f) as usize;
        let u = 2.0 * ((bits >> 11) as f64 * UNIT) - 1.0;
        let x = u * EDGES[layer];
        if x.abs() < EDGES[layer + 1] {
            return x;
        }
        if layer == 0 {
            return tail(rng, u < 0.0);
        }
        // The wedge: accept if a uniform height under the layer lies below f.
        let (low, high) = (density(EDGES[layer]), density(EDGES[layer + 1]));
        if low + unit(rng) * (high - low) < density(x) {
            return x;
        }
    }
}

/// A draw from the standard normal conditioned on |Z| > R, with the given sign.
#[cold]
fn tail<G: RngCore + ?Sized>(rng: &mut G, negative: bool) -> f64 {
    loop {
        // 1 - unit is in (0, 1], so the logs are finite.
        let a = -(1.0 - unit(rng)).ln() / R;
        let b = -(1.0 - unit(rng)).ln();
        if 2.0 * b > a * a {
            return if negative { -(R + a) } else { R + a };
        }
    }
}

/// Fills `out` with independent standard normal draws.
pub fn fill_standard_normal<G: RngCore + ?Sized>(rng: &mut G, out: &mut [f64]) {
    for x in out {
        *x = standard_normal(rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    const DRAWS: usize = 400_000;

    fn draws(seed: u64) -> Vec<f64> {
        let mut rng = Pcg64::seed_from_u64(seed);
        let mut out = vec![0.0; DRAWS + 1];
        fill_standard_normal(&mut rng, &mut out);
        out
    }

    /// Fraction of `xs` for which `pred` holds, and its binomial standard error
    /// under the probability `p` the test expects.
    fn frequency(xs: &[f64], p: f64, pred: impl Fn(f64) -> bool) -> (f64, f64) {
        let n = xs.len() as f64;
        let hits = xs.iter().filter(|&&x| pred(x)).count() as f64;
        (hits / n, (p * (1.0 - p) / n).sqrt())
    }

    #[test]
    fn moments_match_the_standard_normal() {
        let xs = draws(11);
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let skew = xs.iter().map(|x| x.powi(3)).sum::<f64>() / n;
        let kurt = xs.iter().map(|x| x.powi(4)).sum::<f64>() / n;
        // Standard errors for N(0,1) samples: mean 1/sqrt(n), variance
        // sqrt(2/n), third moment sqrt(15/n), fourth moment sqrt(96/n)
        // (Var Z^3 = 15, Var Z^4 = 105 - 9 = 96). Five of them is ~1% here.
        assert!(mean.abs() < 5.0 / n.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(), "variance {var}");
        assert!(skew.abs() < 5.0 * (15.0 / n).sqrt(), "third moment {skew}");
        assert!((kurt - 3.0).abs() < 5.0 * (96.0 / n).sqrt(), "fourth moment {kurt}");
    }

    #[test]
    fn tails_match_the_standard_normal() {
        let xs = draws(12);
        // Reference probabilities from the normal table: P(Z > 1) = 0.158655254,
        // P(|Z| > 2) = 0.045500264, P(|Z| > 3) = 0.002699796, P(Z < -3) half of it,
        // P(|Z| > 3.5) = 0.000465258 (beyond R: drawn by the tail method).
        let cases: [(f64, &dyn Fn(f64) -> bool); 5] = [
            (0.158_655_254, &|x| x > 1.0),
            (0.045_500_264, &|x: f64| x.abs() > 2.0),
            (0.002_699_796, &|x: f64| x.abs() > 3.0),
            (0.001_349_898, &|x| x < -3.0),
            (0.000_465_258, &|x: f64| x.abs() > 3.5),
        ];
        for (p, pred) in cases {
            let (freq, se) = frequency(&xs, p, pred);
            // Five binomial standard errors: a wrong tail (a uniform or a
            // Student t, say) misses by far more than that.
            assert!((freq - p).abs() < 5.0 * se, "expected {p}, got {freq} (se {se})");
        }
    }

    #[test]
    fn consecutive_draws_are_uncorrelated() {
        let xs = draws(13);
        let n = (xs.len() - 1) as f64;
        let corr = xs.windows(2).map(|p| p[0] * p[1]).sum::<f64>() / n;
        // Var(XY) = 1 for independent standard normals: se ~ 1/sqrt(n).
        assert!(corr.abs() < 5.0 / n.sqrt(), "lag-one correlation {corr}");
    }

    #[test]
    fn edges_follow_their_recurrence() {
        // Independent check of the literal table: rebuild it from R and the
        // layer area, and check the top layer closes at x = 0 with the
        // right area.
        let mut edge = R;
        assert!((EDGES[0] - LAYER_AREA / density(R)).abs() < 1e-15);
        for (i, &listed) in EDGES.iter().enumerate().take(127).skip(1) {
            assert!((listed - edge).abs() < 1e-13, "edge {i}: {listed} vs {edge}");
            edge = (-2.0 * (LAYER_AREA / edge + density(edge)).ln()).sqrt();
        }
        assert!((EDGES[127] - edge).abs() < 1e-12);
        assert_eq!(EDGES[128], 0.0);
        let top_area = EDGES[127] * (1.0 - density(EDGES[127]));
        assert!((top_area - LAYER_AREA).abs() < 1e-10, "{top_area}");
        // The base layer: rectangle R f(R) plus the tail integral sqrt(2 pi) Q(R)
        // with Q(R) = 2.8805426e-4 (from erfc) must also be one layer's area.
        let base = R * density(R) + (2.0 * std::f64::consts::PI).sqrt() * 2.880_542_6e-4;
        assert!((base - LAYER_AREA).abs() < 1e-8, "{base}");
    }

    #[test]
    fn every_bin_holds_its_normal_probability() {
        // 40 bins of width 0.2 on [-4, 4] plus two tails; expected shares by
        // Simpson integration of the density (error < 1e-12), so the check
        // is independent of the ziggurat's table.
        let xs = draws(15);
        let n = xs.len() as f64;
        let mut counts = [0usize; 42];
        for &x in &xs {
            let bin = ((x + 4.0) / 0.2).floor();
            counts[if bin < 0.0 {
                40
            } else if bin >= 40.0 {
                41
            } else {
                bin as usize
            }] += 1;
        }
        let mut inside = 0.0;
        for (bin, &count) in counts[..40].iter().enumerate() {
            let a = -4.0 + 0.2 * bin as f64;
            let p = simpson(a, a + 0.2);
            inside += p;
            let se = (p * (1.0 - p) / n).sqrt();
            // Five binomial standard errors per bin; the smallest bins hold
            // ~10 draws, where five sd still excludes a missing layer.
            assert!((count as f64 / n - p).abs() < 5.0 * se, "bin {a}: {count} vs {}", p * n);
        }
        let tail = (1.0 - inside) / 2.0;
        for &count in &counts[40..] {
            let se = (tail * (1.0 - tail) / n).sqrt();
            assert!((count as f64 / n - tail).abs() < 5.0 * se, "tail {count} vs {}", tail * n);
        }
    }

    fn simpson(a: f64, b: f64) -> f64 {
        let steps = 200;
        let h = (b - a) / steps as f64;
        let phi = |x: f64| density(x) / (2.0 * std::f64::consts::PI).sqrt();
        let inner: f64 = (1..steps).map(|k| phi(a + k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 }).sum();
        (phi(a) + phi(b) + inner) * h / 3.0
    }

    #[test]
    fn tail_draws_follow_the_conditional_normal_tail() {
        // Given |Z| > R: P(|Z| > 4 | |Z| > R) = Q(4)/Q(R) = 0.109949 and
        // E[|Z| given |Z| > R] = phi(R)/Q(R) = 3.697317 (from erfc).
        let mut rng = Pcg64::seed_from_u64(16);
        let draws: Vec<f64> = (0..100_000).map(|i| tail(&mut rng, i % 2 == 0)).collect();
        let n = draws.len() as f64;
        assert!(draws.iter().all(|x| x.abs() > R));
        assert_eq!(draws.iter().filter(|x| **x < 0.0).count(), 50_000);
        let p = 0.109_949;
        let beyond = draws.iter().filter(|x| x.abs() > 4.0).count() as f64 / n;
        assert!((beyond - p).abs() < 5.0 * (p * (1.0 - p) / n).sqrt(), "{beyond}");
        let mean = draws.iter().map(|x| x.abs()).sum::<f64>() / n;
        // The excess over R is roughly exponential with mean 0.25: sd 0.25.
        assert!((mean - 3.697_317).abs() < 5.0 * 0.25 / n.sqrt(), "{mean}");
    }

    #[test]
    fn unit_stays_in_the_half_open_interval() {
        let mut rng = Pcg64::seed_from_u64(14);
        let mut lo = 1.0f64;
        let mut hi = 0.0f64;
        for _ in 0..10_000 {
            let u = unit(&mut rng);
            assert!((0.0..1.0).contains(&u));
            lo = lo.min(u);
            hi = hi.max(u);
        }
        // 10 000 uniforms leave gaps of about 1e-4 at both ends.
        assert!(lo < 1e-3 && hi > 1.0 - 1e-3, "range [{lo}, {hi}]");
    }
}
