//! A table's constraints and bus interactions as expressions (Plonky3's symbolic evaluation
//! of its AIR), and their values at any assignment of a row's variables: at random points for
//! the padding audit (`crate::padding`), at a trace's rows for the mutation fuzzer's checks of
//! the rows it edits (the constraints that fail there, and what the rows send and receive).

use std::collections::BTreeSet;

use p3_air::symbolic::{AirLayout, BaseEntry, BaseLeaf, SymbolicExpr, SymbolicExpression};
use p3_air::{Air, BaseAir};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_lookup::InteractionSymbolicBuilder;
use p3_matrix::dense::RowMajorMatrix;

use crate::config::{Challenge, Val};

/// One constraint: its expression, the current row's columns it reads, and whether it reads
/// the next row.
pub struct Constraint {
    pub expr: SymbolicExpression<Val>,
    pub reads: BTreeSet<usize>,
    pub reads_next: bool,
}

/// One bus interaction: its bus, its tuple, its signed count, and its relation's tag (the
/// tuple's first field, a constant for every relation of the proof).
pub struct Interaction {
    pub bus: String,
    pub fields: Vec<SymbolicExpression<Val>>,
    pub count: SymbolicExpression<Val>,
    pub tag: Option<u32>,
}

/// A table's constraints and interactions, and the sizes of what they read.
pub struct Symbolic {
    pub width: usize,
    pub publics: usize,
    pub periodics: usize,
    pub constraints: Vec<Constraint>,
    pub interactions: Vec<Interaction>,
}

/// One assignment of a row's variables: the row, the next row, public values, periodic
/// columns and the selectors.
pub struct Point {
    pub row: Vec<Val>,
    pub next: Vec<Val>,
    pub public: Vec<Val>,
    pub periodic: Vec<Val>,
    pub first: Val,
    pub last: Val,
    pub transition: Val,
}

/// The value of `e` at `at`.
pub fn eval(e: &SymbolicExpression<Val>, at: &Point) -> Val {
    match e {
        SymbolicExpr::Leaf(leaf) => match leaf {
            BaseLeaf::Variable(v) => match v.entry {
                BaseEntry::Main { offset: 0 } => at.row[v.index],
                BaseEntry::Main { .. } => at.next[v.index],
                BaseEntry::Public => at.public[v.index],
                BaseEntry::Periodic => at.periodic[v.index],
                BaseEntry::Preprocessed { .. } => unreachable!("no table has preprocessed columns"),
            },
            BaseLeaf::IsFirstRow => at.first,
            BaseLeaf::IsLastRow => at.last,
            BaseLeaf::IsTransition => at.transition,
            BaseLeaf::Constant(c) => *c,
        },
        SymbolicExpr::Add { x, y, .. } => eval(x, at) + eval(y, at),
        SymbolicExpr::Sub { x, y, .. } => eval(x, at) - eval(y, at),
        SymbolicExpr::Neg { x, .. } => -eval(x, at),
        SymbolicExpr::Mul { x, y, .. } => eval(x, at) * eval(y, at),
    }
}

/// The columns of the current row and of the next an expression reads.
fn reads(e: &SymbolicExpression<Val>, row: &mut BTreeSet<usize>, next: &mut BTreeSet<usize>) {
    match e {
        SymbolicExpr::Leaf(BaseLeaf::Variable(v)) => match v.entry {
            BaseEntry::Main { offset: 0 } => {
                row.insert(v.index);
            }
            BaseEntry::Main { .. } => {
                next.insert(v.index);
            }
            _ => {}
        },
        SymbolicExpr::Leaf(_) => {}
        SymbolicExpr::Add { x, y, .. }
        | SymbolicExpr::Sub { x, y, .. }
        | SymbolicExpr::Mul { x, y, .. } => {
            reads(x, row, next);
            reads(y, row, next);
        }
        SymbolicExpr::Neg { x, .. } => reads(x, row, next),
    }
}

/// What one row sends and receives: `(bus, tuple, count)` for each interaction whose count
/// is not zero there.
pub type Traffic = Vec<(String, Vec<Val>, Val)>;

impl Symbolic {
    /// Evaluates `air` symbolically, once.
    pub fn of<A>(air: &A) -> Symbolic
    where
        A: BaseAir<Val> + Air<InteractionSymbolicBuilder<Val, Challenge>>,
    {
        let layout = AirLayout {
            num_periodic_columns: air.num_periodic_columns(),
            main_width: air.width(),
            num_public_values: air.num_public_values(),
            ..Default::default()
        };
        let builder = InteractionSymbolicBuilder::<Val, Challenge>::from_air(air, layout);
        let constraints = builder
            .base_constraints()
            .into_iter()
            .map(|expr| {
                let (mut row, mut next) = (BTreeSet::new(), BTreeSet::new());
                reads(&expr, &mut row, &mut next);
                Constraint {
                    expr,
                    reads: row,
                    reads_next: !next.is_empty(),
                }
            })
            .collect();
        let interactions = builder
            .global_interactions()
            .iter()
            .map(|i| Interaction {
                bus: i.bus_name.clone(),
                tag: match i.fields.first() {
                    Some(SymbolicExpr::Leaf(BaseLeaf::Constant(c))) => Some(c.as_canonical_u32()),
                    _ => None,
                },
                fields: i.fields.clone(),
                count: i.count.clone(),
            })
            .collect();
        Symbolic {
            width: air.width(),
            publics: air.num_public_values(),
            periodics: air.num_periodic_columns(),
            constraints,
            interactions,
        }
    }

    /// Row `r` of `trace`, with its successor (the first row after the last), `air`'s
    /// periodic values there and the table's public values.
    pub fn at_row<A: BaseAir<Val>>(
        &self,
        air: &A,
        trace: &RowMajorMatrix<Val>,
        public: &[Val],
        r: usize,
    ) -> Point {
        let height = trace.values.len() / trace.width;
        let row = |r: usize| trace.values[r * trace.width..(r + 1) * trace.width].to_vec();
        let last = r + 1 == height;
        Point {
            row: row(r),
            next: row((r + 1) % height),
            public: public.to_vec(),
            periodic: air.periodic_values(r),
            first: Val::from_bool(r == 0),
            last: Val::from_bool(last),
            transition: Val::from_bool(!last),
        }
    }

    /// The columns of the current row that the interactions' counts read.
    pub fn count_columns(&self) -> BTreeSet<usize> {
        let (mut row, mut next) = (BTreeSet::new(), BTreeSet::new());
        for i in &self.interactions {
            reads(&i.count, &mut row, &mut next);
        }
        row
    }

    /// The first constraint that fails at `at`, by its position among the table's.
    pub fn failing(&self, at: &Point) -> Option<usize> {
        self.constraints
            .iter()
            .position(|c| eval(&c.expr, at) != Val::ZERO)
    }

    /// What the row at `at` sends and receives.
    pub fn traffic(&self, at: &Point) -> Traffic {
        self.interactions
            .iter()
            .filter_map(|i| {
                let count = eval(&i.count, at);
                (count != Val::ZERO).then(|| {
                    let tuple = i.fields.iter().map(|f| eval(f, at)).collect();
                    (i.bus.clone(), tuple, count)
                })
            })
            .collect()
    }
}
