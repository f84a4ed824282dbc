//! Differential tests: random well-typed functions (built directly as WebAssembly, valid by
//! construction) run on the interpreter, the tracing interpreter and wasmi, which must agree
//! on results, traps and fuel used; and the trace must account for exactly the fuel charged.

use std::sync::Arc;

use proptest::prelude::*;
use starstream_vm::isolated::{run, run_everywhere};
use starstream_vm::{Event, Interpreter, Limits, Program};
use wasm_encoder::{
    BlockType, CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction,
    MemArg, MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// An expression tree; every node knows its type, so any tree encodes to valid code.
#[derive(Clone, Debug)]
enum Expr {
    Param(bool),
    Const(bool, i64),
    Bin(bool, u8, Box<Expr>, Box<Expr>),
    Cmp(bool, u8, Box<Expr>, Box<Expr>),
    Un(bool, u8, Box<Expr>),
    Wrap(Box<Expr>),
    Extend(bool, Box<Expr>),
    If(bool, Box<Expr>, Box<Expr>, Box<Expr>),
    Select(bool, Box<Expr>, Box<Expr>, Box<Expr>),
    /// Stores the value at an address, loads it back with a given width.
    Memory(u8, Box<Expr>, Box<Expr>),
    /// `block (result) value; cond; br_if 0; drop; other end`
    BrIf(bool, Box<Expr>, Box<Expr>, Box<Expr>),
    /// Counts a loop down from `n % 16`, adding `step` each time.
    Loop(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn is64(&self) -> bool {
        match self {
            Expr::Param(w)
            | Expr::Const(w, _)
            | Expr::Bin(w, ..)
            | Expr::Un(w, ..)
            | Expr::If(w, ..)
            | Expr::Select(w, ..)
            | Expr::BrIf(w, ..) => *w,
            Expr::Cmp(..) | Expr::Wrap(_) | Expr::Loop(..) => false,
            Expr::Extend(..) => true,
            Expr::Memory(kind, ..) => *kind >= 6,
        }
    }
}

/// Strategies for expressions of type `i64` (`wide`) or `i32`, at most `depth` deep. Built
/// bottom-up once, so generating a value never builds strategies.
fn expr(wide: bool, depth: u32) -> BoxedStrategy<Expr> {
    let mut narrow = leaf(false);
    let mut broad = leaf(true);
    for _ in 0..depth {
        let (n, b) = (level(false, &narrow, &broad), level(true, &narrow, &broad));
        narrow = n;
        broad = b;
    }
    if wide {
        broad
    } else {
        narrow
    }
}

fn leaf(wide: bool) -> BoxedStrategy<Expr> {
    prop_oneof![
        Just(Expr::Param(wide)),
        any::<i64>().prop_map(move |v| Expr::Const(wide, v)),
        (-3i64..4).prop_map(move |v| Expr::Const(wide, v)),
    ]
    .boxed()
}

/// One level up: expressions whose operands come from `narrow` (`i32`) and `broad` (`i64`).
fn level(
    wide: bool,
    narrow: &BoxedStrategy<Expr>,
    broad: &BoxedStrategy<Expr>,
) -> BoxedStrategy<Expr> {
    let same = if wide { broad.clone() } else { narrow.clone() };
    let cond = narrow.clone();
    let b = |e: Expr| Box::new(e);
    let mut options: Vec<BoxedStrategy<Expr>> = vec![
        leaf(wide),
        (0u8..15, same.clone(), same.clone())
            .prop_map(move |(op, x, y)| Expr::Bin(wide, op, b(x), b(y)))
            .boxed(),
        (0u8..3, same.clone())
            .prop_map(move |(op, x)| Expr::Un(wide, op, b(x)))
            .boxed(),
        (cond.clone(), same.clone(), same.clone())
            .prop_map(move |(c, x, y)| Expr::If(wide, b(c), b(x), b(y)))
            .boxed(),
        (cond.clone(), same.clone(), same.clone())
            .prop_map(move |(c, x, y)| Expr::Select(wide, b(c), b(x), b(y)))
            .boxed(),
        (same.clone(), cond.clone(), same.clone())
            .prop_map(move |(x, c, y)| Expr::BrIf(wide, b(x), b(c), b(y)))
            .boxed(),
    ];
    if wide {
        options.push(
            (any::<bool>(), cond.clone())
                .prop_map(move |(s, x)| Expr::Extend(s, b(x)))
                .boxed(),
        );
        options.push(
            (6u8..13, cond.clone(), broad.clone())
                .prop_map(move |(k, a, v)| Expr::Memory(k, b(a), b(v)))
                .boxed(),
        );
    } else {
        options.push(
            (0u8..10, narrow.clone(), leaf(false))
                .prop_map(move |(op, x, y)| Expr::Cmp(false, op, b(x), b(y)))
                .boxed(),
        );
        options.push(
            (0u8..10, broad.clone(), leaf(true))
                .prop_map(move |(op, x, y)| Expr::Cmp(true, op, b(x), b(y)))
                .boxed(),
        );
        options.push(broad.clone().prop_map(move |x| Expr::Wrap(b(x))).boxed());
        options.push(
            (0u8..6, cond.clone(), cond.clone())
                .prop_map(move |(k, a, v)| Expr::Memory(k, b(a), b(v)))
                .boxed(),
        );
        options.push(
            (cond.clone(), cond.clone())
                .prop_map(move |(n, s)| Expr::Loop(b(n), b(s)))
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

/// Emits `e`; `loops` numbers the loops emitted so far, each of which gets its own two locals.
fn emit(e: &Expr, f: &mut Function, loops: &mut u32) {
    use Instruction as I;
    let mem = |align| MemArg {
        offset: 8,
        align,
        target: wasm_encoder::MemArgTarget::Memory(0),
        ordering: None,
    };
    match e {
        Expr::Param(w) => {
            f.instruction(&I::LocalGet(if *w { 1 } else { 0 }));
        }
        Expr::Const(w, v) => {
            f.instruction(&if *w {
                I::I64Const(*v)
            } else {
                I::I32Const(*v as i32)
            });
        }
        Expr::Bin(w, op, a, b) => {
            emit(a, f, loops);
            emit(b, f, loops);
            let ops32 = [
                I::I32Add,
                I::I32Sub,
                I::I32Mul,
                I::I32DivS,
                I::I32DivU,
                I::I32RemS,
                I::I32RemU,
                I::I32And,
                I::I32Or,
                I::I32Xor,
                I::I32Shl,
                I::I32ShrS,
                I::I32ShrU,
                I::I32Rotl,
                I::I32Rotr,
            ];
            let ops64 = [
                I::I64Add,
                I::I64Sub,
                I::I64Mul,
                I::I64DivS,
                I::I64DivU,
                I::I64RemS,
                I::I64RemU,
                I::I64And,
                I::I64Or,
                I::I64Xor,
                I::I64Shl,
                I::I64ShrS,
                I::I64ShrU,
                I::I64Rotl,
                I::I64Rotr,
            ];
            f.instruction(&if *w { &ops64 } else { &ops32 }[*op as usize]);
        }
        Expr::Cmp(w, op, a, b) => {
            emit(a, f, loops);
            emit(b, f, loops);
            let ops32 = [
                I::I32Eq,
                I::I32Ne,
                I::I32LtS,
                I::I32LtU,
                I::I32GtS,
                I::I32GtU,
                I::I32LeS,
                I::I32LeU,
                I::I32GeS,
                I::I32GeU,
            ];
            let ops64 = [
                I::I64Eq,
                I::I64Ne,
                I::I64LtS,
                I::I64LtU,
                I::I64GtS,
                I::I64GtU,
                I::I64LeS,
                I::I64LeU,
                I::I64GeS,
                I::I64GeU,
            ];
            f.instruction(&if *w { &ops64 } else { &ops32 }[*op as usize]);
        }
        Expr::Un(w, op, a) => {
            emit(a, f, loops);
            let ops = if *w {
                [I::I64Clz, I::I64Ctz, I::I64Popcnt]
            } else {
                [I::I32Clz, I::I32Ctz, I::I32Popcnt]
            };
            f.instruction(&ops[*op as usize]);
        }
        Expr::Wrap(a) => {
            emit(a, f, loops);
            f.instruction(&I::I32WrapI64);
        }
        Expr::Extend(signed, a) => {
            emit(a, f, loops);
            f.instruction(&if *signed {
                I::I64ExtendI32S
            } else {
                I::I64ExtendI32U
            });
        }
        Expr::If(w, c, a, b) => {
            emit(c, f, loops);
            f.instruction(&I::If(BlockType::Result(ty(*w))));
            emit(a, f, loops);
            f.instruction(&I::Else);
            emit(b, f, loops);
            f.instruction(&I::End);
        }
        Expr::Select(_, c, a, b) => {
            emit(a, f, loops);
            emit(b, f, loops);
            emit(c, f, loops);
            f.instruction(&I::Select);
        }
        Expr::BrIf(w, a, c, b) => {
            f.instruction(&I::Block(BlockType::Result(ty(*w))));
            emit(a, f, loops);
            emit(c, f, loops);
            f.instruction(&I::BrIf(0));
            f.instruction(&I::Drop);
            emit(b, f, loops);
            f.instruction(&I::End);
        }
        Expr::Memory(kind, addr, value) => {
            // Addresses wrap into a page and a half so some accesses fall off the end.
            emit(addr, f, loops);
            f.instruction(&I::I32Const(0x17fff));
            f.instruction(&I::I32And);
            f.instruction(&I::LocalTee(2));
            emit(value, f, loops);
            let (store, load) = match kind {
                0 => (I::I32Store(mem(2)), I::I32Load(mem(2))),
                1 => (I::I32Store8(mem(0)), I::I32Load8S(mem(0))),
                2 => (I::I32Store8(mem(0)), I::I32Load8U(mem(0))),
                3 => (I::I32Store16(mem(1)), I::I32Load16S(mem(1))),
                4 => (I::I32Store16(mem(1)), I::I32Load16U(mem(1))),
                5 => (I::I32Store(mem(2)), I::I32Load16U(mem(1))),
                6 => (I::I64Store(mem(3)), I::I64Load(mem(3))),
                7 => (I::I64Store8(mem(0)), I::I64Load8S(mem(0))),
                8 => (I::I64Store16(mem(1)), I::I64Load16U(mem(1))),
                9 => (I::I64Store32(mem(2)), I::I64Load32S(mem(2))),
                10 => (I::I64Store32(mem(2)), I::I64Load32U(mem(2))),
                11 => (I::I64Store8(mem(0)), I::I64Load8U(mem(0))),
                _ => (I::I64Store16(mem(1)), I::I64Load16S(mem(1))),
            };
            f.instruction(&store);
            f.instruction(&I::LocalGet(2));
            f.instruction(&load);
        }
        Expr::Loop(n, step) => {
            // A counter from n % 16 down to 0 and an accumulator of step, in fresh locals (a
            // loop in `n` or `step` must not reuse them).
            let counter = 3 + 2 * *loops;
            let acc = counter + 1;
            *loops += 1;
            emit(n, f, loops);
            f.instruction(&I::I32Const(15));
            f.instruction(&I::I32And);
            f.instruction(&I::LocalSet(counter));
            f.instruction(&I::I32Const(0));
            f.instruction(&I::LocalSet(acc));
            f.instruction(&I::Block(BlockType::Empty));
            f.instruction(&I::Loop(BlockType::Empty));
            f.instruction(&I::LocalGet(counter));
            f.instruction(&I::I32Eqz);
            f.instruction(&I::BrIf(1));
            f.instruction(&I::LocalGet(acc));
            emit(step, f, loops);
            f.instruction(&I::I32Add);
            f.instruction(&I::LocalSet(acc));
            f.instruction(&I::LocalGet(counter));
            f.instruction(&I::I32Const(1));
            f.instruction(&I::I32Sub);
            f.instruction(&I::LocalSet(counter));
            f.instruction(&I::Br(0));
            f.instruction(&I::End);
            f.instruction(&I::End);
            f.instruction(&I::LocalGet(acc));
        }
    }
}

fn ty(wide: bool) -> ValType {
    if wide {
        ValType::I64
    } else {
        ValType::I32
    }
}

/// A module exporting `f(a: i32, b: i64) -> type of e` whose body is `e`.
fn module(e: &Expr) -> Vec<u8> {
    let mut types = TypeSection::new();
    types
        .ty()
        .function([ValType::I32, ValType::I64], [ty(e.is64())]);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, 0);
    let mut loops = 0;
    let mut probe = Function::new([]);
    emit(e, &mut probe, &mut loops);
    // Local 2 holds addresses; then two per loop.
    let mut body = Function::new([(1 + 2 * loops, ValType::I32)]);
    emit(e, &mut body, &mut 0);
    body.instruction(&Instruction::End);
    let mut code = CodeSection::new();
    code.function(&body);
    let mut m = Module::new();
    m.section(&types)
        .section(&funcs)
        .section(&memory)
        .section(&exports)
        .section(&code);
    m.finish()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn engines_agree_on_random_functions(e in expr(false, 4).prop_union(expr(true, 4)), a in any::<i32>(), b in any::<i64>(), fuel in 1u64..200) {
        let wasm = module(&e);
        let program = Arc::new(Program::load(&wasm).expect("generated modules are in the subset"));
        // Once with plenty of fuel, once with little, so fuel exhaustion is compared too.
        for limits in [Limits::default(), Limits { fuel, ..Limits::default() }] {
            let agreed = run_everywhere(&program, "f", &[a as i64, b], limits);
            prop_assert!(agreed.is_ok(), "{}", agreed.unwrap_err());
        }
    }

    #[test]
    fn the_trace_accounts_for_the_fuel(e in expr(true, 3), a in any::<i32>(), b in any::<i64>()) {
        // Every operator executed is one step of the trace, and fuel is one per operator of
        // every segment entered; they differ only by the operators a trap skips in its
        // segment and the structural operators (`block`, `loop`, `end`) that do not execute.
        let wasm = module(&e);
        let program = Arc::new(Program::load(&wasm).unwrap());
        let prepared = starstream_vm::Engine::prepare(&Interpreter { trace: true }, program.clone()).unwrap();
        let mut instance = prepared.instantiate(Limits::default()).unwrap();
        let exit = instance.start("f", &[a as i64, b]);
        let trace = instance.take_trace().unwrap();
        // Fuel charges are steps of the trace but not operators of the module.
        let steps = trace
            .iter()
            .filter(|e| matches!(e, Event::Step(s) if !matches!(s.op, starstream_vm::op::Op::Charge(_))))
            .count() as u64;
        let used = Limits::default().fuel - instance.fuel();
        prop_assert!(steps <= used, "{steps} steps but {used} fuel");
        // Every charge made is a step of the trace (a trap is no charge), so they sum to the
        // fuel used: what the execution proof adds up.
        let charged: u64 = trace
            .iter()
            .filter_map(|e| match e {
                Event::Step(s) => match s.op {
                    starstream_vm::op::Op::Charge(c) => Some(u64::from(c)),
                    _ => None,
                },
                _ => None,
            })
            .sum();
        prop_assert_eq!(charged, used);
        if let Ok(starstream_vm::Exit::Returned(values)) = exit {
            let (plain, _) = run(&Interpreter { trace: false }, &program, "f", &[a as i64, b], Limits::default());
            prop_assert_eq!(plain, starstream_vm::isolated::Outcome::Returned(values));
        }
    }
}
