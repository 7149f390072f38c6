//! Ordinary least squares through the normal equations: accumulate X^T X and
//! X^T y, then solve by Cholesky. Accumulating the Gram matrix lets the
//! `accumulate` regime pool every generation's data without storing it, and
//! for well-conditioned Gaussian designs (samples > dim + 1) the squared
//! condition number costs far less accuracy than the sampling error.
//!
//! Matrices are dense, row-major `dim x dim` slices; only the lower triangle
//! of a Gram matrix is filled and read.

/// Adds the lower triangle of `rows^T rows` to `gram` (`rows` is `n x dim`).
///
/// Rows are taken four at a time so each Gram entry is loaded and stored
/// once per four rows: the update is bound by memory traffic, not arithmetic.
pub fn add_gram(gram: &mut [f64], rows: &[f64], dim: usize) {
    let mut quads = rows.chunks_exact(4 * dim);
    for quad in &mut quads {
        let (a, rest) = quad.split_at(dim);
        let (b, rest) = rest.split_at(dim);
        let (c, e) = rest.split_at(dim);
        for i in 0..dim {
            let (ai, bi, ci, ei) = (a[i], b[i], c[i], e[i]);
            let gram_row = &mut gram[i * dim..i * dim + i + 1];
            let columns = a[..=i].iter().zip(&b[..=i]).zip(&c[..=i]).zip(&e[..=i]);
            for (g, (((aj, bj), cj), ej)) in gram_row.iter_mut().zip(columns) {
                *g += ai * aj + bi * bj + ci * cj + ei * ej;
            }
        }
    }
    for row in quads.remainder().chunks_exact(dim) {
        for (i, &xi) in row.iter().enumerate() {
            let gram_row = &mut gram[i * dim..i * dim + i + 1];
            for (g, &xj) in gram_row.iter_mut().zip(&row[..=i]) {
                *g += xi * xj;
            }
        }
    }
}

/// Adds `rows^T labels` to `rhs`.
pub fn add_moment(rhs: &mut [f64], rows: &[f64], labels: &[f64]) {
    let dim = rhs.len();
    for (row, &y) in rows.chunks_exact(dim).zip(labels) {
        for (r, &x) in rhs.iter_mut().zip(row) {
            *r += x * y;
        }
    }
}

/// The dot product of two equal-length slices.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The Gram matrix is not positive definite (a singular design).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Singular;

/// Solves `gram w = rhs` into `w`, using `factor` (same size as `gram`) as
/// scratch for the Cholesky factor L (gram = L L^T).
pub fn solve(gram: &[f64], rhs: &[f64], factor: &mut [f64], w: &mut [f64]) -> Result<(), Singular> {
    let dim = rhs.len();
    for i in 0..dim {
        for j in 0..=i {
            let (row_i, row_j) = (&factor[i * dim..i * dim + j], &factor[j * dim..j * dim + j]);
            let s = gram[i * dim + j] - dot(row_i, row_j);
            if i == j {
                // A zero, negative or NaN pivot: not positive definite.
                if s.is_nan() || s <= 0.0 {
                    return Err(Singular);
                }
                factor[i * dim + i] = s.sqrt();
            } else {
                factor[i * dim + j] = s / factor[j * dim + j];
            }
        }
    }
    // L z = rhs, forward.
    for i in 0..dim {
        w[i] = (rhs[i] - dot(&factor[i * dim..i * dim + i], &w[..i])) / factor[i * dim + i];
    }
    // L^T w = z, backward; L^T's row i is L's column i.
    for i in (0..dim).rev() {
        let mut s = w[i];
        for k in i + 1..dim {
            s -= factor[k * dim + i] * w[k];
        }
        w[i] = s / factor[i * dim + i];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system_known_by_hand() {
        // rows (1,0), (1,1), (1,2); labels 1, 3, 5: the line y = 1 + 2 t fits exactly.
        let rows = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
        let labels = [1.0, 3.0, 5.0];
        let (mut gram, mut rhs) = (vec![0.0; 4], vec![0.0; 2]);
        add_gram(&mut gram, &rows, 2);
        add_moment(&mut rhs, &rows, &labels);
        // X^T X = [[3, 3], [3, 5]] (lower triangle only), X^T y = (9, 13).
        assert_eq!(gram, [3.0, 0.0, 3.0, 5.0]);
        assert_eq!(rhs, [9.0, 13.0]);
        let mut factor = vec![0.0; 4];
        let mut w = vec![0.0; 2];
        solve(&gram, &rhs, &mut factor, &mut w).unwrap();
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 2.0).abs() < 1e-12, "{w:?}");
    }

    #[test]
    fn least_squares_residual_is_orthogonal_to_the_design() {
        // An overdetermined 5 x 3 system with no exact solution: the normal
        // equations hold iff X^T (y - X w) = 0.
        let rows = [1.0, 2.0, 0.5, -1.0, 0.0, 3.0, 2.0, 1.0, -1.0, 0.0, 4.0, 1.0, 3.0, -2.0, 0.0];
        let labels = [1.0, -2.0, 0.5, 7.0, 3.0];
        let (mut gram, mut rhs) = (vec![0.0; 9], vec![0.0; 3]);
        add_gram(&mut gram, &rows, 3);
        add_moment(&mut rhs, &rows, &labels);
        let (mut factor, mut w) = (vec![0.0; 9], vec![0.0; 3]);
        solve(&gram, &rhs, &mut factor, &mut w).unwrap();
        let residual: Vec<f64> = rows.chunks_exact(3).zip(&labels).map(|(r, y)| y - dot(r, &w)).collect();
        let mut normal = vec![0.0; 3];
        add_moment(&mut normal, &rows, &residual);
        assert!(normal.iter().all(|g| g.abs() < 1e-12), "{normal:?}");
    }

    #[test]
    fn gram_of_many_rows_matches_the_definition() {
        // 11 rows exercise the four-row blocks and the remainder; compare
        // with sum_t x_ti x_tj computed entry by entry.
        let dim = 3;
        let rows: Vec<f64> = (0..11 * dim).map(|k| ((k * 7919) % 23) as f64 / 7.0 - 1.5).collect();
        let mut gram = vec![0.0; dim * dim];
        add_gram(&mut gram, &rows, dim);
        for i in 0..dim {
            for j in 0..dim {
                let direct: f64 = rows.chunks_exact(dim).map(|r| r[i] * r[j]).sum();
                let expected = if j <= i { direct } else { 0.0 };
                assert!((gram[i * dim + j] - expected).abs() < 1e-12, "({i}, {j})");
            }
        }
    }

    #[test]
    fn a_rank_deficient_design_is_reported() {
        // A column of zeros: the second pivot is exactly 0.
        let rows = [1.0, 0.0, 2.0, 0.0, 3.0, 0.0];
        let mut gram = vec![0.0; 4];
        add_gram(&mut gram, &rows, 2);
        let (mut factor, mut w) = (vec![0.0; 4], vec![0.0; 2]);
        assert_eq!(solve(&gram, &[1.0, 1.0], &mut factor, &mut w), Err(Singular));
    }
}
