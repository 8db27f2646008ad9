//! The fair draw for places far scarcer than demand: everyone who asks during the
//! window after release is entered, and when it closes the order is drawn at random.
//! The draw is a pure function of the entries and a seed; the seed is recorded with
//! the order, so anyone can compute the same order again and see it was not chosen.
//!
//! The algorithm is pinned here, not left to a library's `shuffle` whose output may
//! change between versions: the entries sorted by id, then a Fisher–Yates shuffle
//! driven by the ChaCha20 stream of the seed (`rand_chacha`, whose output is fixed by
//! the cipher), each index drawn uniformly by rejection (no modulo bias).

use rand_chacha::{ChaCha20Rng, rand_core::RngCore, rand_core::SeedableRng};

/// A draw's seed: 32 random bytes, recorded as 64 hex digits.
pub type Seed = [u8; 32];

/// The entries (booking ids) in drawn order: the first ones get the places, the next
/// ones the waitlist in that order. The same entries (in any order) and seed always
/// give the same order.
pub fn draw(entries: &[i64], seed: &Seed) -> Vec<i64> {
    let mut order = entries.to_vec();
    order.sort_unstable();
    let mut stream = ChaCha20Rng::from_seed(*seed);
    for i in (1..order.len()).rev() {
        let j = uniform_below(&mut stream, i as u64 + 1) as usize;
        order.swap(i, j);
    }
    order
}

/// A number in `0..n`, every value equally likely.
fn uniform_below(stream: &mut ChaCha20Rng, n: u64) -> u64 {
    // The largest multiple of n that fits: values at or above it would favour the
    // small results, so they are drawn again.
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = stream.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

pub fn seed_hex(seed: &Seed) -> String {
    hex::encode(seed)
}

pub fn seed_from_hex(text: &str) -> Option<Seed> {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(text, &mut seed).ok()?;
    Some(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seed_of(n: u64) -> Seed {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&n.to_le_bytes());
        seed
    }

    #[test]
    fn the_order_is_fixed_by_the_seed_alone() {
        let seed = seed_of(7);
        let drawn = draw(&[5, 3, 9, 1], &seed);
        assert_eq!(
            draw(&[9, 1, 3, 5], &seed),
            drawn,
            "the entries' order does not matter"
        );
        // Pinned: a change here would make recorded draws unverifiable.
        assert_eq!(drawn, vec![1, 5, 9, 3]);
        assert_ne!(draw(&[5, 3, 9, 1], &seed_of(8)), drawn);
        assert_eq!(seed_from_hex(&seed_hex(&seed)), Some(seed));
        assert_eq!(seed_from_hex("zz"), None);
    }

    proptest! {
        #[test]
        fn a_draw_is_a_permutation(entries in proptest::collection::btree_set(1i64..10_000, 0..60), n in any::<u64>()) {
            let entries: Vec<i64> = entries.into_iter().collect();
            let mut drawn = draw(&entries, &seed_of(n));
            drawn.sort_unstable();
            prop_assert_eq!(drawn, entries);
        }

        /// Every entrant's chance of a place is the same: over many draws, each one's
        /// share of places stays within five standard deviations of places/entrants.
        #[test]
        fn every_entrant_has_the_same_chance(entrants in 2usize..12, places in 1usize..6, round in 0u64..1000) {
            let places = places.min(entrants - 1);
            let entries: Vec<i64> = (1..=entrants as i64).collect();
            let draws = 3000u64;
            let mut wins = vec![0u64; entrants];
            for d in 0..draws {
                for id in &draw(&entries, &seed_of(round * draws + d))[..places] {
                    wins[*id as usize - 1] += 1;
                }
            }
            let p = places as f64 / entrants as f64;
            let expected = draws as f64 * p;
            let sd = (draws as f64 * p * (1.0 - p)).sqrt();
            for (entrant, won) in wins.iter().enumerate() {
                prop_assert!((*won as f64 - expected).abs() <= 5.0 * sd,
                    "entrant {} won {} of {} draws, expected {:.0}", entrant + 1, won, draws, expected);
            }
        }
    }
}
