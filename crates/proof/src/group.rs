//! Tables of one height proven side by side, as one instance of the batch STARK.
//!
//! Why: every instance costs each query more than its columns. The hiding commitment adds five
//! random columns and a four-element salt to every committed matrix, each instance has its own
//! randomization polynomial, and each commits its quotient as four or eight chunk matrices
//! (each one more matrix with its own random columns and salt): with eighteen tables that was
//! two thirds of the quotient's bytes and most of the salts. Tables of one height share a
//! domain, so they can be one instance: one main matrix (their columns side by side), one
//! quotient (their constraints combined by the batch's random challenge), one set of LogUp
//! columns (same-bus lookups of different tables packed together). A table's constraints read
//! only its own columns, public values and fixed columns ([`Part`] shows it its slice), so
//! grouping changes how the tables are committed, not what they prove.
//!
//! Both sides group alike from the heights the proof's header names ([`Layout::of`]): the
//! tables of one height form one group, groups in the order of their first table, each
//! group's tables in the order of [`crate::TABLES`].

use std::borrow::Cow;
use std::ops::Range;

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_lookup::{Count, InteractionBuilder};
use p3_matrix::dense::RowMajorMatrix;

use crate::air::TableAir;
use crate::config::Val;

/// Which tables (by their place among the kept tables) form each instance, and its height.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Each group's tables, as indices into the kept tables, in order.
    pub members: Vec<Vec<usize>>,
    /// Each group's height (log2).
    pub log_heights: Vec<u8>,
}

impl Layout {
    /// The groups of tables of these heights (log2, one per kept table): one per distinct
    /// height, in the order of each height's first table.
    pub fn of(log_heights: &[u8]) -> Layout {
        let mut layout = Layout {
            members: vec![],
            log_heights: vec![],
        };
        for (i, &h) in log_heights.iter().enumerate() {
            match layout.log_heights.iter().position(|&g| g == h) {
                Some(g) => layout.members[g].push(i),
                None => {
                    layout.log_heights.push(h);
                    layout.members.push(vec![i]);
                }
            }
        }
        layout
    }

    /// Each group's AIR: its tables side by side.
    pub fn airs<'a>(&self, airs: &[TableAir<'a>]) -> Vec<Group<'a>> {
        self.members
            .iter()
            .map(|members| Group::new(members.iter().map(|&i| airs[i]).collect()))
            .collect()
    }

    /// Each group's public values: its tables', in order.
    pub fn public_values(&self, public_values: &[Vec<Val>]) -> Vec<Vec<Val>> {
        self.members
            .iter()
            .map(|members| {
                members
                    .iter()
                    .flat_map(|&i| public_values[i].iter().copied())
                    .collect()
            })
            .collect()
    }

    /// Each group's trace: its tables' traces side by side (they have its height).
    pub fn traces(&self, traces: &[&RowMajorMatrix<Val>]) -> Vec<RowMajorMatrix<Val>> {
        self.members
            .iter()
            .map(|members| {
                let parts: Vec<&RowMajorMatrix<Val>> = members.iter().map(|&i| traces[i]).collect();
                side_by_side(&parts)
            })
            .collect()
    }
}

/// Matrices of one height joined column-wise, in order.
fn side_by_side(parts: &[&RowMajorMatrix<Val>]) -> RowMajorMatrix<Val> {
    let width: usize = parts.iter().map(|m| m.width).sum();
    let height = parts.first().map_or(0, |m| m.values.len() / m.width);
    let mut values = Vec::with_capacity(width * height);
    for r in 0..height {
        for m in parts {
            values.extend_from_slice(&m.values[r * m.width..(r + 1) * m.width]);
        }
    }
    RowMajorMatrix::new(values, width)
}

/// Tables of one height as one AIR: their main columns, public values and fixed (periodic)
/// columns concatenated in order, each table evaluated on its own slice of each.
#[derive(Clone, Debug)]
pub struct Group<'a> {
    parts: Vec<TableAir<'a>>,
}

impl<'a> Group<'a> {
    fn new(parts: Vec<TableAir<'a>>) -> Self {
        Group { parts }
    }

    /// The tables of the group, in order.
    pub fn parts(&self) -> &[TableAir<'a>] {
        &self.parts
    }

    /// Each part with its slices: main columns, public values, fixed columns.
    fn slices(&self) -> impl Iterator<Item = (&TableAir<'a>, [Range<usize>; 3])> {
        let (mut main, mut public, mut fixed) = (0, 0, 0);
        self.parts.iter().map(move |part| {
            let sizes = [
                part.width(),
                BaseAir::<Val>::num_public_values(part),
                BaseAir::<Val>::num_periodic_columns(part),
            ];
            let ranges = [
                main..main + sizes[0],
                public..public + sizes[1],
                fixed..fixed + sizes[2],
            ];
            main += sizes[0];
            public += sizes[1];
            fixed += sizes[2];
            (part, ranges)
        })
    }
}

impl BaseAir<Val> for Group<'_> {
    fn width(&self) -> usize {
        self.parts.iter().map(BaseAir::<Val>::width).sum()
    }

    fn num_public_values(&self) -> usize {
        self.parts
            .iter()
            .map(BaseAir::<Val>::num_public_values)
            .sum()
    }

    fn num_periodic_columns(&self) -> usize {
        self.parts
            .iter()
            .map(BaseAir::<Val>::num_periodic_columns)
            .sum()
    }

    fn periodic_columns(&self) -> Cow<'_, [Vec<Val>]> {
        let columns: Vec<Vec<Val>> = self
            .parts
            .iter()
            .flat_map(|part| part.periodic_columns().into_owned())
            .collect();
        Cow::Owned(columns)
    }

    fn periodic_values(&self, row_index: usize) -> Vec<Val> {
        self.parts
            .iter()
            .flat_map(|part| part.periodic_values(row_index))
            .collect()
    }

    fn main_next_row_columns(&self) -> Vec<usize> {
        self.slices()
            .flat_map(|(part, [main, _, _])| {
                part.main_next_row_columns()
                    .into_iter()
                    .map(move |c| main.start + c)
            })
            .collect()
    }
}

impl<AB: InteractionBuilder<F = Val>> Air<AB> for Group<'_> {
    fn eval(&self, b: &mut AB) {
        for (part, [main, public, fixed]) in self.slices() {
            part.eval(&mut Part {
                inner: b,
                main,
                public,
                fixed,
            });
        }
    }
}

/// A builder that shows one table of a group its own slice of the group's main columns, public
/// values and fixed columns; everything else (constraints, lookups, row selectors) goes to
/// the group's builder.
pub struct Part<'b, AB> {
    inner: &'b mut AB,
    main: Range<usize>,
    public: Range<usize>,
    fixed: Range<usize>,
}

/// A window over some of a wider window's columns.
#[derive(Clone)]
pub struct Columns<W> {
    window: W,
    range: Range<usize>,
}

impl<T, W: WindowAccess<T>> WindowAccess<T> for Columns<W> {
    fn current_slice(&self) -> &[T] {
        &self.window.current_slice()[self.range.clone()]
    }

    fn next_slice(&self) -> &[T] {
        &self.window.next_slice()[self.range.clone()]
    }
}

impl<AB: AirBuilder> AirBuilder for Part<'_, AB> {
    type F = AB::F;
    type Expr = AB::Expr;
    type Var = AB::Var;
    type PreprocessedWindow = AB::PreprocessedWindow;
    type MainWindow = Columns<AB::MainWindow>;
    type PublicVar = AB::PublicVar;
    type PeriodicVar = AB::PeriodicVar;

    fn main(&self) -> Self::MainWindow {
        Columns {
            window: self.inner.main(),
            range: self.main.clone(),
        }
    }

    fn preprocessed(&self) -> &Self::PreprocessedWindow {
        self.inner.preprocessed()
    }

    fn is_first_row(&self) -> Self::Expr {
        self.inner.is_first_row()
    }

    fn is_last_row(&self) -> Self::Expr {
        self.inner.is_last_row()
    }

    fn is_transition(&self) -> Self::Expr {
        self.inner.is_transition()
    }

    fn is_transition_window(&self, size: usize) -> Self::Expr {
        self.inner.is_transition_window(size)
    }

    fn assert_zero<I: Into<Self::Expr>>(&mut self, x: I) {
        self.inner.assert_zero(x);
    }

    // A builder that holds no public or fixed values at all (one that only records lookups)
    // shows none to the parts either; one that holds them shows each part exactly its own
    // (a short slice panics rather than hide a part's values).
    fn public_values(&self) -> &[Self::PublicVar] {
        own(self.inner.public_values(), &self.public)
    }

    fn periodic_values(&self) -> &[Self::PeriodicVar] {
        own(self.inner.periodic_values(), &self.fixed)
    }
}

/// A part's `range` of a group's values, or none when the builder holds none.
fn own<'v, T>(all: &'v [T], range: &Range<usize>) -> &'v [T] {
    if all.is_empty() {
        &[]
    } else {
        &all[range.clone()]
    }
}

impl<AB: InteractionBuilder> InteractionBuilder for Part<'_, AB> {
    fn push_interaction<E: Into<Self::Expr>>(
        &mut self,
        bus_name: &str,
        fields: impl IntoIterator<Item = E>,
        count: impl Into<Count<Self::Expr>>,
    ) {
        self.inner.push_interaction(bus_name, fields, count);
    }

    fn push_local_interaction(
        &mut self,
        tuples: impl IntoIterator<Item = (Vec<Self::Expr>, Count<Self::Expr>)>,
    ) {
        self.inner.push_local_interaction(tuples);
    }

    fn push_exclusive_interaction(
        &mut self,
        bus_name: &str,
        branches: impl IntoIterator<Item = (Self::Expr, Count<Self::Expr>, Vec<Self::Expr>)>,
    ) {
        self.inner.push_exclusive_interaction(bus_name, branches);
    }

    fn num_global_interactions(&self) -> usize {
        self.inner.num_global_interactions()
    }

    fn num_local_interactions(&self) -> usize {
        self.inner.num_local_interactions()
    }

    fn num_exclusive_interactions(&self) -> usize {
        self.inner.num_exclusive_interactions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_of_one_height_form_one_group_in_order() {
        let layout = Layout::of(&[8, 8, 9, 8, 11, 9]);
        assert_eq!(layout.members, vec![vec![0, 1, 3], vec![2, 5], vec![4]]);
        assert_eq!(layout.log_heights, vec![8, 9, 11]);
        assert_eq!(Layout::of(&[]).members, Vec::<Vec<usize>>::new());
    }

    #[test]
    fn a_groups_trace_and_public_values_are_its_tables_side_by_side() {
        use p3_field::PrimeCharacteristicRing;
        let v = |n: u32| Val::from_u32(n);
        let a = RowMajorMatrix::new(vec![v(1), v(2), v(3), v(4)], 2);
        let b = RowMajorMatrix::new(vec![v(5), v(6)], 1);
        let c = RowMajorMatrix::new(vec![v(7), v(8), v(9), v(10)], 1);
        let layout = Layout::of(&[1, 1, 2]);
        let traces = layout.traces(&[&a, &b, &c]);
        assert_eq!(traces[0].width, 3);
        assert_eq!(traces[0].values, vec![v(1), v(2), v(5), v(3), v(4), v(6)]);
        assert_eq!(traces[1], c);
        let public = layout.public_values(&[vec![v(1)], vec![], vec![v(2), v(3)]]);
        assert_eq!(public, vec![vec![v(1)], vec![v(2), v(3)]]);
    }
}
