//! The network learner's matrix products, and the vector unit a training
//! step runs on: the training step is most of a network run's time.
//!
//! Every output of [`gemm`] is a left fold over the inner index in order,
//! `C <- fma(A[i][0], B[0][j], C)`, then `A[i][1] B[1][j]`, and so on, each
//! a fused multiply-add (`f32::mul_add`: one correctly rounded operation,
//! the same bits wherever it runs), however the outputs are tiled and
//! however wide the vectors: blocking splits the outputs, never the sum. So
//! the bits are those of the plain triple loop of `mul_add`s on every CPU,
//! and the hardware paths ([`Path`]) differ only in speed. What makes a
//! fixed order slow is too few independent sums in flight, not the order:
//! a tile keeps `R x W` outputs in registers while `k` runs, enough of them
//! to keep both FMA pipes busy.
//!
//! Where the CPU has no FMA instruction (x86-64 before about 2013) the
//! portable path's `mul_add` is the C library's correctly rounded `fmaf`:
//! slow, but the same bits. Every aarch64 CPU has it (NEON's `fmla`).
//!
//! A product hands each finished row of a tile to an [`Outputs`]: a
//! stored matrix, or what the step does next with it (the network starts
//! its logits from the bias and adds the hidden gradients' rows into their
//! sums as they finish), so that nothing is stored only to be read back.
//! [`transpose`] moves 8 x 8 blocks through registers.
//!
//! A whole training step, not only its products, runs through [`on`], so
//! the element-wise work (softmax, ReLU, Adam) is compiled for the same
//! vector unit; outside the products it uses no `mul_add`, and Rust never
//! fuses `a * b + c` or reorders a floating-point operation on its own, so
//! the wider code changes no bit there either.
//!
//! [`Path::Avx512`] pays where the FMA pipes are 512 bits wide (Zen 5:
//! twice AVX2's multiply-adds per cycle): its tiles are AVX-512 intrinsics
//! (module `avx512`), the same fused multiply-adds in the same order. Where a
//! core splits 512-bit operations in two (Zen 4) the products' peak is
//! AVX2's, but a 512-bit operation still holds one place in the queues,
//! which the softmax's long `exp` chains are bound by.

/// The left operand `A` (`m x k`) of [`gemm`] and how it is stored.
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    /// Row after row, `stride` apart: `A[i][k] = data[i * stride + k]`.
    Rows(&'a [f32], usize),
    /// Transposed, column after column `stride` apart:
    /// `A[i][k] = data[k * stride + i]`.
    Columns(&'a [f32], usize),
}

/// The code a training step runs: the same operations in the same order,
/// compiled for one vector unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// What the crate is built for: SSE2 on x86-64, NEON on aarch64.
    Portable,
    /// x86-64 with AVX2 and FMA (256-bit vectors).
    Avx2Fma,
    /// x86-64 with AVX-512 (F and VL) besides AVX2 and FMA: the products'
    /// tiles one or two 512-bit vectors wide, the softmax 16 examples per
    /// vector.
    Avx512,
}

impl Path {
    /// The fastest path this CPU has.
    pub fn detected() -> Path {
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            return Path::Avx512;
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            return Path::Avx2Fma;
        }
        Path::Portable
    }

    /// Every path this CPU can run, the portable one first (for the tests
    /// that check they agree bit for bit).
    pub fn available() -> Vec<Path> {
        let mut paths = vec![Path::Portable];
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            paths.push(Path::Avx2Fma);
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            paths.push(Path::Avx512);
        }
        paths
    }
}

/// Whether this CPU runs [`Path::Avx2Fma`].
#[cfg(target_arch = "x86_64")]
pub(super) fn has_avx2_fma() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

/// Whether this CPU runs [`Path::Avx512`] (never, off x86-64).
pub(super) fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return has_avx2_fma()
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Runs `work` (inlined into it) compiled for `path`.
///
/// # Panics
/// If this CPU lacks `path` (take it from [`Path::detected`] or [`Path::available`]).
#[inline(always)]
pub fn on<T>(path: Path, work: impl FnOnce() -> T) -> T {
    match path {
        Path::Portable => work(),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2Fma => {
            assert!(has_avx2_fma(), "this CPU has no AVX2 and FMA");
            // SAFETY: the CPU has AVX2 and FMA, checked just above.
            unsafe { with_avx2_fma(work) }
        }
        #[cfg(target_arch = "x86_64")]
        Path::Avx512 => {
            assert!(has_avx512(), "this CPU has no AVX-512");
            // SAFETY: the CPU has AVX-512 F and VL, AVX2 and FMA, checked just above.
            unsafe { with_avx512(work) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Path::Avx2Fma | Path::Avx512 => panic!("AVX2 and AVX-512 are x86-64 paths"),
    }
}

/// `work` compiled with AVX2 and FMA.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn with_avx2_fma<T>(work: impl FnOnce() -> T) -> T {
    work()
}

/// `work` compiled with AVX-512 (F and VL), AVX2 and FMA.
///
/// # Safety
/// The CPU must support all four.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,avx512f,avx512vl")]
unsafe fn with_avx512<T>(work: impl FnOnce() -> T) -> T {
    work()
}

/// `C += A B` for `A` (`m x k`), `B` (`k x n`, rows `b_stride` apart,
/// columns contiguous) and `C` (`m x n`, rows `c_stride` apart): every
/// `C[i][j]` becomes `fma(A[i][k-1], B[k-1][j], ... fma(A[i][0], B[0][j], C[i][j]))`,
/// in that order, so the result is bit for bit the naive loop's, on the
/// fastest [`Path`] this CPU has.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: Operand,
    b: &[f32],
    b_stride: usize,
    c: &mut [f32],
    c_stride: usize,
) {
    let path = Path::detected();
    on(
        path,
        #[inline(always)]
        || product(path, m, n, k, a, b, b_stride, c, c_stride),
    );
}

/// [`gemm`] compiled for whatever path its caller runs on: for the products
/// inside a step that already runs through [`on`]. `path` picks the tiles
/// (take the caller's: [`Path::Avx512`]'s are fast only inside `on`
/// compiled for it, and where the CPU lacks AVX-512 the others run).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn product(
    path: Path,
    m: usize,
    n: usize,
    k: usize,
    a: Operand,
    b: &[f32],
    b_stride: usize,
    c: &mut [f32],
    c_stride: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(c.len() >= (m - 1) * c_stride + n, "gemm: C too short");
    product_into(path, m, n, k, a, b, b_stride, &mut Matrix { c, stride: c_stride });
}

/// Where the outputs of [`product_into`] start from and where they go: a
/// stored `C` ([`Matrix`]) or whatever the caller does with each finished
/// row of a tile instead of storing it and reading it back.
pub trait Outputs {
    /// Sets `row` to the starting values of row `i`'s outputs `j..j + W`.
    fn start<const W: usize>(&mut self, i: usize, j: usize, row: &mut [f32; W]);
    /// Row `i`'s outputs `j..j + W`, complete.
    fn finish<const W: usize>(&mut self, i: usize, j: usize, row: &[f32; W]);
}

/// `C` stored row after row, `stride` apart: `C += A B`.
pub struct Matrix<'a> {
    /// The outputs, `C[i][j] = c[i * stride + j]`.
    pub c: &'a mut [f32],
    /// Distance between rows of `C`.
    pub stride: usize,
}

impl Outputs for Matrix<'_> {
    #[inline(always)]
    fn start<const W: usize>(&mut self, i: usize, j: usize, row: &mut [f32; W]) {
        row.copy_from_slice(&self.c[i * self.stride + j..][..W]);
    }
    #[inline(always)]
    fn finish<const W: usize>(&mut self, i: usize, j: usize, row: &[f32; W]) {
        self.c[i * self.stride + j..][..W].copy_from_slice(row);
    }
}

/// [`product`] with its outputs started and finished by `out`: every
/// output is `out.start`'s value, then the same fold of fused
/// multiply-adds over `k` in order. Rows are finished block of columns by
/// block of columns, and within a block in increasing `i`, so a caller that
/// adds finished rows into sums adds them in row order.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn product_into(
    path: Path,
    m: usize,
    n: usize,
    k: usize,
    a: Operand,
    b: &[f32],
    b_stride: usize,
    out: &mut impl Outputs,
) {
    if m == 0 || n == 0 {
        return;
    }
    tiles::<false>(path, Product::checked(m, n, k, a, b, b_stride), out, &mut []);
}

/// [`product_into`] that also leaves in `sums` each row's sum of `A`,
/// `sums[i] = (((0 + A[i][0]) + A[i][1]) + ...)` in order (plain adds), the
/// first block of columns' tiles adding each `A` value they read anyway.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn product_and_row_sums(
    path: Path,
    m: usize,
    n: usize,
    k: usize,
    a: Operand,
    b: &[f32],
    b_stride: usize,
    out: &mut impl Outputs,
    sums: &mut [f32],
) {
    assert!(sums.len() >= m, "gemm: row sums too short");
    if n == 0 || k == 0 {
        sums[..m].fill(0.0);
    }
    if m == 0 || n == 0 {
        return;
    }
    tiles::<true>(path, Product::checked(m, n, k, a, b, b_stride), out, sums);
}

/// What [`gemm`] multiplies, after its bounds checks: everything but `C`,
/// handed down to the tiles in one piece.
#[derive(Clone, Copy)]
struct Product<'a> {
    m: usize,
    n: usize,
    k: usize,
    a: Operand<'a>,
    b: &'a [f32],
    b_stride: usize,
}

impl<'a> Product<'a> {
    /// The product of `A` (`m x k`) and `B` (`k x n`), once both are checked
    /// to hold every element the tiles read (`m, n > 0`).
    ///
    /// # Panics
    /// If `A` or `B` is too short.
    #[inline(always)]
    fn checked(m: usize, n: usize, k: usize, a: Operand<'a>, b: &'a [f32], b_stride: usize) -> Self {
        if k > 0 {
            assert!(b.len() >= (k - 1) * b_stride + n, "gemm: B too short");
            match a {
                Operand::Rows(data, stride) => {
                    assert!(data.len() >= (m - 1) * stride + k, "gemm: A too short")
                }
                Operand::Columns(data, stride) => {
                    assert!(data.len() >= (k - 1) * stride + m, "gemm: A too short")
                }
            }
        }
        Product { m, n, k, a, b, b_stride }
    }
}

/// The tiles of [`gemm`]: columns in blocks of 16 (two AVX2 vectors, four
/// SSE2 or NEON vectors) four rows at a time, then blocks of 8 and 4 eight
/// rows at a time, then single columns: each tile has eight accumulators or
/// more, enough independent sums to cover an FMA's latency (4 cycles on
/// Zen 4 and 5) on both pipes. (Wider tiles, 4 x 24 or 6 x 16, measured no
/// faster or slower: AVX2 has 16 vector registers.) On [`Path::Avx512`]
/// blocks of 32 columns six rows at a time (twelve 512-bit accumulators of
/// its 32 registers; four rows and eight measured slower in a step) and of
/// 16 eight rows at a time come first: on a core whose FMA pipes are 512
/// bits wide (Zen 5), twice the work per instruction.
/// With `SUMS`, the first block of columns also sums `A`'s rows.
#[inline(always)]
fn tiles<const SUMS: bool>(path: Path, p: Product, out: &mut impl Outputs, sums: &mut [f32]) {
    let mut at = Block { j: 0, first: SUMS };
    // The CPU is checked here (a cached flag), not only by `on`: the
    // products are public and safe, and a `Path` is only a request.
    if path == Path::Avx512 && has_avx512() {
        while at.j + 32 <= p.n {
            at.next::<6, 32, 2>(p, out, sums);
        }
        if at.j + 16 <= p.n {
            at.next::<8, 16, 1>(p, out, sums);
        }
    }
    while at.j + 16 <= p.n {
        at.next::<4, 16, 0>(p, out, sums);
    }
    if at.j + 8 <= p.n {
        at.next::<8, 8, 0>(p, out, sums);
    }
    if at.j + 4 <= p.n {
        at.next::<8, 4, 0>(p, out, sums);
    }
    while at.j < p.n {
        at.next::<8, 1, 0>(p, out, sums);
    }
}

/// Where [`tiles`] is: the next block's first column, and whether that
/// block still has to sum `A`'s rows (only the first does).
struct Block {
    j: usize,
    first: bool,
}

impl Block {
    /// Columns `j..j + W` in tiles of `R` rows (of `V` 512-bit vectors
    /// each, see [`tile_on`]), then on to the next block.
    #[inline(always)]
    fn next<const R: usize, const W: usize, const V: usize>(
        &mut self,
        p: Product,
        out: &mut impl Outputs,
        sums: &mut [f32],
    ) {
        if self.first {
            columns::<R, W, V, true>(p, self.j, out, sums);
        } else {
            columns::<R, W, V, false>(p, self.j, out, sums);
        }
        self.first = false;
        self.j += W;
    }
}

/// Columns `j..j + W` of [`gemm`], in tiles of `R` rows.
#[inline(always)]
fn columns<const R: usize, const W: usize, const V: usize, const SUMS: bool>(
    p: Product,
    j: usize,
    out: &mut impl Outputs,
    sums: &mut [f32],
) {
    let mut i = 0;
    while i + R <= p.m {
        tile_on::<R, W, V, SUMS>(p, i, j, out, sums);
        i += R;
    }
    // The last rows in tiles of 4 and 2 before single rows: a one-row tile
    // is a single chain of dependent multiply-adds, bound by their latency.
    if R > 4 && i + 4 <= p.m {
        tile_on::<4, W, V, SUMS>(p, i, j, out, sums);
        i += 4;
    }
    if R > 2 && i + 2 <= p.m {
        tile_on::<2, W, V, SUMS>(p, i, j, out, sums);
        i += 2;
    }
    while i < p.m {
        tile_on::<1, W, V, SUMS>(p, i, j, out, sums);
        i += 1;
    }
}

/// One `R x W` tile: the portable one ([`tile`]) where `V` is 0, else
/// the AVX-512 one of `V` vectors per row (`W = 16 V`; only on
/// [`Path::Avx512`], which alone asks for such blocks).
#[inline(always)]
fn tile_on<const R: usize, const W: usize, const V: usize, const SUMS: bool>(
    p: Product,
    i: usize,
    j: usize,
    out: &mut impl Outputs,
    sums: &mut [f32],
) {
    if V == 0 {
        tile::<R, W, SUMS>(p, i, j, out, sums);
    } else {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: only `tiles` asks for `V > 0`, and only after checking
        // that the CPU has AVX-512.
        unsafe {
            avx512::tile::<R, W, V, SUMS>(p, i, j, out, sums)
        };
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!("AVX-512 tiles on a CPU without AVX-512");
    }
}

/// One `R x W` tile of the outputs at `(i, j)`, accumulated in registers
/// over all of `k`.
#[inline(always)]
fn tile<const R: usize, const W: usize, const SUMS: bool>(
    p: Product,
    i: usize,
    j: usize,
    out: &mut impl Outputs,
    sums: &mut [f32],
) {
    let Product { k, a, b, b_stride, .. } = p;
    let mut acc = [[0.0f32; W]; R];
    let mut sum = [0.0f32; R];
    for (r, row) in acc.iter_mut().enumerate() {
        out.start::<W>(i + r, j, row);
    }
    let (a_data, a_row, a_column) = match a {
        Operand::Rows(data, stride) => (data, stride, 1),
        Operand::Columns(data, stride) => (data, 1, stride),
    };
    // Unchecked reads: bounds checks in this loop cost 12% of the step's
    // products, and `Product::checked` has checked every index read here.
    debug_assert!(k == 0 || (k - 1) * b_stride + j + W <= b.len());
    debug_assert!(k == 0 || (i + R - 1) * a_row + (k - 1) * a_column < a_data.len());
    for kk in 0..k {
        // SAFETY: `j + W <= n` and `Product::checked` asserted
        // `b.len() >= (k - 1) * b_stride + n`, so the W values from
        // `kk * b_stride + j` lie in `b`; `[f32; W]` has `f32`'s alignment.
        let b_row: &[f32; W] = unsafe { &*b.as_ptr().add(kk * b_stride + j).cast::<[f32; W]>() };
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: `i + r < m`, `kk < k`, and `Product::checked` asserted
            // that A holds element `(m - 1, k - 1)` of either layout.
            let x = unsafe { *a_data.get_unchecked((i + r) * a_row + kk * a_column) };
            if SUMS {
                sum[r] += x;
            }
            row.iter_mut().zip(b_row).for_each(|(out, y)| *out = x.mul_add(*y, *out));
        }
    }
    // Through memory once per tile: where `finish` reads the outputs one by
    // one, LLVM otherwise splits the accumulators into scalars and the
    // whole loop above into scalar multiply-adds (six times slower).
    let acc = std::hint::black_box(acc);
    if SUMS {
        sums[i..i + R].copy_from_slice(&sum);
    }
    for (r, row) in acc.iter().enumerate() {
        out.finish::<W>(i + r, j, row);
    }
}

/// [`tile`] in AVX-512 intrinsics: LLVM, left to vectorise the portable
/// tile's arrays for AVX-512, gathered `A`'s transposed values with
/// shuffles instead of broadcasting each from memory.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{Operand, Outputs, Product};

    /// [`super::tile`] of `R` rows of `V` 512-bit vectors (`W = 16 V`
    /// columns): the same fused multiply-adds in the same order.
    ///
    /// # Safety
    /// The CPU must have AVX-512F, and the tile must lie in `p` (as
    /// `Product::checked` and the tiling guarantee).
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn tile<const R: usize, const W: usize, const V: usize, const SUMS: bool>(
        p: Product,
        i: usize,
        j: usize,
        out: &mut impl Outputs,
        sums: &mut [f32],
    ) {
        // Constant, so free; it keeps the reads below within `row` and B.
        assert!(W == 16 * V && V > 0, "avx512::tile: W = 16 V");
        let Product { k, a, b, b_stride, .. } = p;
        let mut acc = [[_mm512_setzero_ps(); V]; R];
        let mut row = [0.0f32; W];
        for (r, vectors) in acc.iter_mut().enumerate() {
            out.start::<W>(i + r, j, &mut row);
            for (v, x) in vectors.iter_mut().enumerate() {
                // SAFETY: 16 v + 16 <= W values of `row`.
                *x = unsafe { _mm512_loadu_ps(row.as_ptr().add(16 * v)) };
            }
        }
        let (a_data, a_row, a_column) = match a {
            Operand::Rows(data, stride) => (data, stride, 1),
            Operand::Columns(data, stride) => (data, 1, stride),
        };
        let mut sum = [0.0f32; R];
        for kk in 0..k {
            // SAFETY: as in `super::tile`: `j + W <= n`, and
            // `Product::checked` asserted that B holds row k - 1's n values.
            let b_row = unsafe { b.as_ptr().add(kk * b_stride + j) };
            let y: [__m512; V] = std::array::from_fn(|v| unsafe { _mm512_loadu_ps(b_row.add(16 * v)) });
            for (r, vectors) in acc.iter_mut().enumerate() {
                // SAFETY: `i + r < m`, `kk < k`: element (i + r, kk) of A,
                // which `Product::checked` asserted A holds.
                let x = unsafe { *a_data.get_unchecked((i + r) * a_row + kk * a_column) };
                if SUMS {
                    sum[r] += x;
                }
                let x = _mm512_set1_ps(x);
                for (acc, y) in vectors.iter_mut().zip(&y) {
                    *acc = _mm512_fmadd_ps(x, *y, *acc);
                }
            }
        }
        if SUMS {
            sums[i..i + R].copy_from_slice(&sum);
        }
        for (r, vectors) in acc.iter().enumerate() {
            for (v, x) in vectors.iter().enumerate() {
                // SAFETY: 16 v + 16 <= W values of `row`.
                unsafe { _mm512_storeu_ps(row.as_mut_ptr().add(16 * v), *x) };
            }
            out.finish::<W>(i + r, j, &row);
        }
    }
}

/// `dst[c * dst_stride + r] = src[r * src_stride + c]` for `r < rows`,
/// `c < cols`. A copy, so any path gives the same bits: where the CPU has
/// AVX, blocks of 8 x 8 are transposed in registers by shuffles (the plain
/// loop moves one strided element at a time, a fifth of a step when it
/// transposed the hidden activations).
#[inline(always)]
pub fn transpose(
    rows: usize,
    cols: usize,
    src: &[f32],
    src_stride: usize,
    dst: &mut [f32],
    dst_stride: usize,
) {
    if rows == 0 || cols == 0 {
        return;
    }
    assert!(src.len() >= (rows - 1) * src_stride + cols, "transpose: source too short");
    assert!(dst.len() >= (cols - 1) * dst_stride + rows, "transpose: destination too short");
    let (mut r, mut c) = (0, 0);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx") {
        (r, c) = (rows / 8 * 8, cols / 8 * 8);
        // SAFETY: the CPU has AVX; the blocks lie within the sizes asserted above.
        unsafe { transpose_blocks_avx(r, c, src, src_stride, dst, dst_stride) };
    }
    // What the blocks left: the last rows, then the last columns.
    for x in r..rows {
        for y in 0..cols {
            dst[y * dst_stride + x] = src[x * src_stride + y];
        }
    }
    for x in 0..r {
        for y in c..cols {
            dst[y * dst_stride + x] = src[x * src_stride + y];
        }
    }
}

/// [`transpose`] of the first `rows x cols` (multiples of 8), 8 x 8 at a time.
///
/// # Safety
/// The CPU must have AVX, and `src` and `dst` hold the blocks (as
/// [`transpose`] asserts).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_blocks_avx(
    rows: usize,
    cols: usize,
    src: &[f32],
    src_stride: usize,
    dst: &mut [f32],
    dst_stride: usize,
) {
    use std::arch::x86_64::*;
    let (from, to) = (src.as_ptr(), dst.as_mut_ptr());
    for r in (0..rows).step_by(8) {
        for c in (0..cols).step_by(8) {
            // SAFETY: rows r..r + 8 and columns c..c + 8 lie in both (the
            // caller's assertions), and unaligned loads and stores are used.
            unsafe {
                let row = |x: usize| _mm256_loadu_ps(from.add((r + x) * src_stride + c));
                let (a0, a1, a2, a3) = (row(0), row(1), row(2), row(3));
                let (a4, a5, a6, a7) = (row(4), row(5), row(6), row(7));
                let (t0, t1) = (_mm256_unpacklo_ps(a0, a1), _mm256_unpackhi_ps(a0, a1));
                let (t2, t3) = (_mm256_unpacklo_ps(a2, a3), _mm256_unpackhi_ps(a2, a3));
                let (t4, t5) = (_mm256_unpacklo_ps(a4, a5), _mm256_unpackhi_ps(a4, a5));
                let (t6, t7) = (_mm256_unpacklo_ps(a6, a7), _mm256_unpackhi_ps(a6, a7));
                let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
                let u1 = _mm256_shuffle_ps::<0xee>(t0, t2);
                let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
                let u3 = _mm256_shuffle_ps::<0xee>(t1, t3);
                let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
                let u5 = _mm256_shuffle_ps::<0xee>(t4, t6);
                let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
                let u7 = _mm256_shuffle_ps::<0xee>(t5, t7);
                let out = |y: usize, v: __m256| _mm256_storeu_ps(to.add((c + y) * dst_stride + r), v);
                out(0, _mm256_permute2f128_ps::<0x20>(u0, u4));
                out(1, _mm256_permute2f128_ps::<0x20>(u1, u5));
                out(2, _mm256_permute2f128_ps::<0x20>(u2, u6));
                out(3, _mm256_permute2f128_ps::<0x20>(u3, u7));
                out(4, _mm256_permute2f128_ps::<0x31>(u0, u4));
                out(5, _mm256_permute2f128_ps::<0x31>(u1, u5));
                out(6, _mm256_permute2f128_ps::<0x31>(u2, u6));
                out(7, _mm256_permute2f128_ps::<0x31>(u3, u7));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    #[test]
    fn transpose_moves_every_element_once() {
        // Shapes with and without whole 8 x 8 blocks and remainders on
        // either side, strides wider than the rows.
        for (rows, cols) in [(1, 1), (8, 8), (256, 48), (48, 20), (20, 48), (13, 21), (3, 17)] {
            let (src_stride, dst_stride) = (cols + 3, rows + 5);
            let src: Vec<f32> = (0..rows * src_stride).map(|x| x as f32).collect();
            let mut dst = vec![-1.0; cols * dst_stride];
            transpose(rows, cols, &src, src_stride, &mut dst, dst_stride);
            for r in 0..rows {
                for c in 0..cols {
                    assert_eq!(
                        dst[c * dst_stride + r],
                        src[r * src_stride + c],
                        "{rows} x {cols} at {r}, {c}"
                    );
                }
            }
            let untouched = (0..cols).flat_map(|c| (rows..dst_stride).map(move |x| c * dst_stride + x));
            assert!(untouched.filter(|x| *x < dst.len()).all(|x| dst[x] == -1.0), "{rows} x {cols}");
        }
    }

    #[test]
    fn gemm_is_the_naive_fold_bit_for_bit_on_every_path() {
        // Shapes that exercise every tile width and remainder, AVX-512's
        // blocks of 32 and 16 columns included (the
        // network's 256 x 20 x 48, 20 x 48 x 256, 256 x 48 x 20 and its
        // first layer's 10 x 48 x 12, 48 x 12 x 10, 10 x 12 x 48); A both
        // plain and transposed; C starting from non-zero values.
        let mut rng = Pcg64::seed_from_u64(6);
        let shapes = [
            (1, 1, 1),
            (5, 13, 7),
            (256, 20, 48),
            (20, 48, 256),
            (256, 48, 20),
            (10, 48, 12),
            (48, 12, 10),
            (10, 12, 48),
            (7, 63, 9),
            (13, 48, 9),
            (19, 112, 5),
            (3, 3, 0),
        ];
        for (m, n, k) in shapes {
            let a: Vec<f32> = (0..m * k).map(|_| rng.random_range(-1.0..1.0)).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let c0: Vec<f32> = (0..m * n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let mut naive = c0.clone();
            for i in 0..m {
                for j in 0..n {
                    for kk in 0..k {
                        naive[i * n + j] = a[i * k + kk].mul_add(b[kk * n + j], naive[i * n + j]);
                    }
                }
            }
            // The same A stored transposed (k x m).
            let at: Vec<f32> = (0..k * m).map(|x| a[(x % m) * k + x / m]).collect();
            for path in Path::available() {
                let mut c = c0.clone();
                on(path, || product(path, m, n, k, Operand::Rows(&a, k), &b, n, &mut c, n));
                assert_eq!(c, naive, "{path:?} {m} x {n} x {k}");
                let mut c = c0.clone();
                on(path, || product(path, m, n, k, Operand::Columns(&at, m), &b, n, &mut c, n));
                assert_eq!(c, naive, "{path:?} transposed {m} x {n} x {k}");
            }
            let mut c = c0.clone();
            gemm(m, n, k, Operand::Rows(&a, k), &b, n, &mut c, n);
            assert_eq!(c, naive, "detected path {m} x {n} x {k}");
            // B and C in rows wider than n (as the network's W1 blocks and
            // gradients are), on every path; and the AVX-512 path asked for
            // outside `on`, which must check the CPU itself (on a CPU
            // without AVX-512 the other tiles run).
            let (b_stride, c_stride) = (n + 5, n + 3);
            let wide_b: Vec<f32> = (0..k * b_stride)
                .map(|x| if x % b_stride < n { b[x / b_stride * n + x % b_stride] } else { f32::NAN })
                .collect();
            let wide_c0: Vec<f32> = (0..m * c_stride)
                .map(|x| if x % c_stride < n { c0[x / c_stride * n + x % c_stride] } else { -7.0 })
                .collect();
            let requests = Path::available().into_iter().map(|p| (p, true)).chain([(Path::Avx512, false)]);
            for (path, inside) in requests {
                let mut c = wide_c0.clone();
                let mut run =
                    || product(path, m, n, k, Operand::Rows(&a, k), &wide_b, b_stride, &mut c, c_stride);
                if inside {
                    on(path, run);
                } else {
                    run();
                }
                for i in 0..m {
                    assert_eq!(
                        c[i * c_stride..][..n],
                        naive[i * n..][..n],
                        "{path:?} strided {m} x {n} x {k}"
                    );
                    assert!(c[i * c_stride + n..(i + 1) * c_stride].iter().all(|x| *x == -7.0));
                }
            }
            // The row sums of A alongside, plain adds in order from zero.
            let row_sums: Vec<f32> =
                (0..m).map(|i| a[i * k..(i + 1) * k].iter().fold(0.0, |s, x| s + x)).collect();
            for path in Path::available() {
                let (mut c, mut sums) = (c0.clone(), vec![f32::NAN; m]);
                let mut out = Matrix { c: &mut c, stride: n };
                on(path, || {
                    product_and_row_sums(path, m, n, k, Operand::Columns(&at, m), &b, n, &mut out, &mut sums)
                });
                assert_eq!(c, naive, "{path:?} with sums {m} x {n} x {k}");
                assert_eq!(sums, row_sums, "{path:?} row sums {m} x {n} x {k}");
            }
            if m * n * k > 10_000 {
                // The products are fused: two roundings per term differ
                // from one in some of these thousands of outputs.
                let mut unfused = c0.clone();
                for i in 0..m {
                    for j in 0..n {
                        for kk in 0..k {
                            unfused[i * n + j] += a[i * k + kk] * b[kk * n + j];
                        }
                    }
                }
                assert_ne!(c, unfused, "{m} x {n} x {k}");
            }
        }
    }
}
