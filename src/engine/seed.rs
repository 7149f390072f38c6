//! Run identity and seeding.
//!
//! A run's seed and `run_id` depend only on what the run *is* (scenario,
//! every resolved parameter value, but one declared unhashed at its default
//! while it is there, replicate index) and the master seed,
//! never on its position in the queue, the thread that runs it or the shape
//! of the sweep. Adding a value to an axis, reordering axes, changing the
//! thread count or sharding therefore never changes another run's numbers.
//!
//! A sweep that pairs axes (`paired = ["verifier"]`) seeds each run from its
//! *pairing identity* instead: the same identity with the paired parameters'
//! values left out. Runs that differ only there share a seed (common random
//! numbers) and keep distinct `run_id`s; the pairing is as independent of
//! threads, shards and resumes as the identity it is derived from.
//!
//! The hash is spelled out here (FNV-1a over a canonical byte encoding, then
//! a SplitMix64 finaliser) rather than taken from `std::hash`, whose output
//! is not promised to stay the same across Rust releases.

use rand::SeedableRng;
use rand_pcg::Pcg64;

use crate::value::Value;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The SplitMix64 finaliser: a bijection that spreads every input bit over
/// every output bit.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An incremental FNV-1a hash over the canonical encoding of an identity.
#[derive(Clone, Copy, Debug)]
pub struct IdentityHasher(u64);

impl Default for IdentityHasher {
    fn default() -> Self {
        IdentityHasher(FNV_OFFSET)
    }
}

impl IdentityHasher {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }

    /// A length-prefixed string, so that ("ab","c") and ("a","bc") differ.
    pub fn text(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }

    /// A named parameter value, tagged with its type.
    pub fn param(&mut self, name: &str, value: &Value) {
        self.text(name);
        match *value {
            Value::Int(v) => {
                self.bytes(b"i");
                self.bytes(&v.to_le_bytes());
            }
            Value::Float(v) => {
                // -0.0 and 0.0 are the same parameter value.
                let v = if v == 0.0 { 0.0 } else { v };
                self.bytes(b"f");
                self.bytes(&v.to_bits().to_le_bytes());
            }
            Value::Str(ref v) => {
                self.bytes(b"s");
                self.text(v);
            }
            Value::Bool(v) => {
                self.bytes(b"b");
                self.bytes(&[u8::from(v)]);
            }
        }
    }

    /// A paired parameter, whose value is left out of a pairing identity
    /// (its name stays, tagged apart from every value, so pairing on `a`
    /// and pairing on nothing never give the same identity).
    pub fn paired(&mut self, name: &str) {
        self.text(name);
        self.bytes(b"p");
    }

    /// The replicate index, which ends an identity.
    pub fn replicate(mut self, replicate: u64) -> u64 {
        self.bytes(b"r");
        self.bytes(&replicate.to_le_bytes());
        mix64(self.0)
    }
}

/// The stable 64-bit identity of a run: scenario, parameters sorted by name,
/// replicate. `params` must already be sorted by name.
pub fn run_id(scenario: &str, params: &[(&str, Value)], replicate: u64) -> u64 {
    let mut hasher = IdentityHasher::default();
    hasher.text(scenario);
    for (name, value) in params {
        hasher.param(name, value);
    }
    hasher.replicate(replicate)
}

/// The run's 64-bit seed: its identity combined with the master seed.
pub fn run_seed(master_seed: u64, run_id: u64) -> u64 {
    mix64(run_id ^ mix64(master_seed ^ 0x6176_616c_616e_6368))
}

/// The run's generator: `Pcg64::from_seed` on 32 bytes expanded from the
/// 64-bit seed by SplitMix64, so neighbouring seeds give unrelated streams.
pub fn rng_for(seed: u64) -> Pcg64 {
    let mut state = seed;
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        chunk.copy_from_slice(&mix64(state).to_le_bytes());
    }
    Pcg64::from_seed(bytes)
}

/// A generator for one purpose of a run (`"blind_spots"`, position 7),
/// derived from `base`, a number the run draws first from its own generator.
///
/// Pairing (`paired = [...]`) gives partner runs the same seed, but a single
/// stream shared by every purpose stays aligned only until the partners
/// first draw differently (a verifier that samples more): from there on
/// every later draw differs, and the runs are no more alike than unpaired
/// ones. A scenario that draws each purpose from its own substream keeps
/// what the partners have in common (the same blind spots at the same
/// position, the same problems in the same round) common for the whole run.
pub fn substream(base: u64, purpose: &str, index: u64) -> Pcg64 {
    let mut hasher = IdentityHasher::default();
    hasher.text(purpose);
    rng_for(mix64(base ^ hasher.replicate(index)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn fnv_matches_the_published_test_vector() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (Fowler, Noll, Vo reference values).
        let mut h = IdentityHasher::default();
        h.bytes(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn splitmix_finaliser_matches_the_reference_stream() {
        // The first output of SplitMix64 seeded with 0 (Vigna's reference
        // implementation) is mix64(0x9e3779b97f4a7c15) = 0xe220a8397b1dcdaf.
        assert_eq!(mix64(0x9e37_79b9_7f4a_7c15), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn identity_separates_every_component() {
        let base = run_id("gaussian", &[("noise_rate", Value::Float(0.1)), ("samples", Value::Int(10))], 0);
        assert_ne!(
            base,
            run_id("linreg", &[("noise_rate", Value::Float(0.1)), ("samples", Value::Int(10))], 0)
        );
        assert_ne!(
            base,
            run_id("gaussian", &[("noise_rate", Value::Float(0.2)), ("samples", Value::Int(10))], 0)
        );
        assert_ne!(
            base,
            run_id("gaussian", &[("noise_rate", Value::Float(0.1)), ("samples", Value::Int(11))], 0)
        );
        assert_ne!(
            base,
            run_id("gaussian", &[("noise_rate", Value::Float(0.1)), ("samples", Value::Int(10))], 1)
        );
        // An int and a float of the same magnitude are different values.
        assert_ne!(
            run_id("x", &[("a", Value::Int(1))], 0),
            run_id("x", &[("a", Value::Float(f64::from_bits(1)))], 0)
        );
        assert_eq!(run_id("x", &[("a", Value::Float(0.0))], 3), run_id("x", &[("a", Value::Float(-0.0))], 3));
    }

    #[test]
    fn substreams_are_fixed_by_base_purpose_and_index() {
        let first = |base, purpose, index| substream(base, purpose, index).next_u64();
        assert_eq!(first(9, "blind_spots", 7), first(9, "blind_spots", 7));
        assert_ne!(first(9, "blind_spots", 7), first(9, "blind_spots", 8));
        assert_ne!(first(9, "blind_spots", 7), first(9, "problems", 7));
        assert_ne!(first(9, "blind_spots", 7), first(10, "blind_spots", 7));
    }

    #[test]
    fn seeds_differ_by_master_seed_and_streams_are_unrelated() {
        let id = run_id("gaussian", &[], 0);
        assert_ne!(run_seed(1, id), run_seed(2, id));
        let mut a = rng_for(run_seed(1, id));
        let mut b = rng_for(run_seed(1, id));
        let mut c = rng_for(run_seed(1, id) + 1);
        let first = a.next_u64();
        assert_eq!(first, b.next_u64());
        assert_ne!(first, c.next_u64());
    }
}
