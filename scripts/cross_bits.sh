#!/usr/bin/env bash
# The network learner's bits on every build (the invariant that no CPU or C
# library decides an `addition` run's path, ARCHITECTURE.md): compiles
# learners/network/model.rs, kernel.rs, softmax.rs, aligned.rs and learners/fixed_math.rs (included by path into a scratch
# crate, so each build takes seconds, not the whole dependency tree) five
# ways and runs their pinned-bits, kernel, softmax and exp tests in each:
#
#   baseline x86-64 release (SSE2; the run-time paths it carries included),
#   -C target-feature=+avx2,+fma, -C target-cpu=native (AVX-512 here, which
#   every x86 build also takes at run time as kernel::Path::Avx512),
#   unoptimised, and aarch64 (NEON) under qemu-aarch64.
#
# Every build must pass the same pinned hash; the script exits 1 naming any
# build that failed to compile or to pass. Needs the aarch64 target
# (`rustup target add aarch64-unknown-linux-gnu`), its linker and qemu
# (`apt-get install gcc-aarch64-linux-gnu qemu-user`); without them the
# aarch64 build is reported as skipped, never as passed.
#
#   scripts/cross_bits.sh            # from the repository root
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/src/scenario/addition"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src"
cp "$root/Cargo.lock" "$work/"
cat > "$work/Cargo.toml" <<EOF
[package]
name = "cross-bits"
version = "0.0.0"
edition = "2021"

[dependencies]
rand = "0.9"
rand_pcg = "0.9"
EOF
# The two items of digits.rs and sampler.rs that the network uses, copied,
# in the crate's module layout so the files' `crate::` paths resolve.
cat > "$work/src/lib.rs" <<EOF
pub mod scenario {
    pub mod addition {
        pub mod digits {
            pub const CONTEXTS: usize = 200;
            pub const OUTPUTS: usize = 20;
            pub fn correct_output(c: usize) -> u8 {
                let sum = c / 20 + (c / 2) % 10 + c % 2;
                ((sum % 10) * 2 + sum / 10) as u8
            }
        }
        pub mod learners {
            pub mod sampler {
                pub fn argmax(row: &[f32]) -> u8 {
                    let (mut best, mut value) = (0, row[0]);
                    for (i, p) in row.iter().enumerate() {
                        if *p > value {
                            (best, value) = (i, *p);
                        }
                    }
                    best as u8
                }
            }
            #[path = "$src/learners/fixed_math.rs"]
            pub mod fixed_math;
            pub mod network {
                #[path = "$src/learners/network/aligned.rs"]
                mod aligned;
                #[path = "$src/learners/network/kernel.rs"]
                pub mod kernel;
                #[path = "$src/learners/network/model.rs"]
                pub mod model;
                #[path = "$src/learners/network/softmax.rs"]
                mod softmax;
            }
        }
    }
}
EOF

tests=(the_bits_are_those_every_build_gives gemm_is_the_naive_fold_bit_for_bit_on_every_path
    every_path_gives_the_bits_of_one_column_at_a_time the_avx2_exp_is_the_fixed_exp_bit_for_bit
    the_avx512_exp_is_the_fixed_exp_bit_for_bit exp_non_positive_is_exp_bit_for_bit)
run() {
    local name=$1
    shift
    local out
    out=$("$@" -- "${tests[@]}" 2>&1 || true)
    grep -E "^test |test result|^error|left:" <<<"$out" | sed "s|^|$name: |"
    # A build that does not compile or a test that fails fails the script.
    if ! grep -q "^test result: ok" <<<"$out"; then
        failed+=("$name")
    fi
}
failed=()
cd "$work"
export CARGO_TARGET_DIR="$work/target"
run "baseline release" cargo test --offline --release --lib
RUSTFLAGS="-C target-feature=+avx2,+fma" run "+avx2,+fma" cargo test --offline --release --lib
RUSTFLAGS="-C target-cpu=native" run "target-cpu=native" cargo test --offline --release --lib
run "unoptimised" cargo test --offline --lib
if rustup target list --installed 2>/dev/null | grep -q aarch64-unknown-linux-gnu \
    && command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
        CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
        run "aarch64 (qemu)" cargo test --offline --release --lib --target aarch64-unknown-linux-gnu
else
    echo "aarch64 (qemu): SKIPPED (no aarch64 target, linker or qemu-aarch64)"
fi
if ((${#failed[@]})); then
    echo "cross_bits: FAILED in: ${failed[*]}"
    exit 1
fi
echo "cross_bits: every build passed"
