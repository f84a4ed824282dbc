//! Emits hand-built IR modules, checks them against the subset, and runs them with wasmi.

mod common;

use common::*;
use starstream_ir::{
    BinOp, ConvOp, FuncId, Global, Import, ImportId, Inst, Module, Terminator, TrapKind,
};
use starstream_wasm::{check_subset, emit, trap_code};

const ALL_BIN_OPS: [BinOp; 23] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::DivS,
    BinOp::DivU,
    BinOp::RemS,
    BinOp::RemU,
    BinOp::And,
    BinOp::Or,
    BinOp::Xor,
    BinOp::Shl,
    BinOp::ShrS,
    BinOp::ShrU,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::LtS,
    BinOp::LtU,
    BinOp::LeS,
    BinOp::LeU,
    BinOp::GtS,
    BinOp::GtU,
    BinOp::GeS,
    BinOp::GeU,
];

/// The IR semantics of `op` on 64-bit values, as a reference for the emitted code. `None`
/// where WebAssembly traps (the IR only divides after checking, so those inputs never occur).
fn reference_i64(op: BinOp, a: i64, b: i64) -> Option<i64> {
    use BinOp::*;
    let (ua, ub) = (a as u64, b as u64);
    Some(match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        DivS if b == 0 || (a == i64::MIN && b == -1) => return None,
        DivS => a / b,
        DivU | RemS | RemU if b == 0 => return None,
        DivU => (ua / ub) as i64,
        RemS => a.wrapping_rem(b),
        RemU => (ua % ub) as i64,
        And => a & b,
        Or => a | b,
        Xor => a ^ b,
        Shl => a.wrapping_shl(b as u32),
        ShrS => a.wrapping_shr(b as u32),
        ShrU => ua.wrapping_shr(b as u32) as i64,
        Eq => (a == b) as i64,
        Ne => (a != b) as i64,
        LtS => (a < b) as i64,
        LtU => (ua < ub) as i64,
        LeS => (a <= b) as i64,
        LeU => (ua <= ub) as i64,
        GtS => (a > b) as i64,
        GtU => (ua > ub) as i64,
        GeS => (a >= b) as i64,
        GeU => (ua >= ub) as i64,
    })
}

fn reference_i32(op: BinOp, a: i32, b: i32) -> Option<i32> {
    use BinOp::*;
    let (ua, ub) = (a as u32, b as u32);
    Some(match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        DivS if b == 0 || (a == i32::MIN && b == -1) => return None,
        DivS => a / b,
        DivU | RemS | RemU if b == 0 => return None,
        DivU => (ua / ub) as i32,
        RemS => a.wrapping_rem(b),
        RemU => (ua % ub) as i32,
        And => a & b,
        Or => a | b,
        Xor => a ^ b,
        Shl => a.wrapping_shl(b as u32),
        ShrS => a.wrapping_shr(b as u32),
        ShrU => ua.wrapping_shr(b as u32) as i32,
        // Comparisons: sign extension keeps both the signed and the unsigned order of i32s.
        _ => reference_i64(op, i64::from(a), i64::from(b))? as i32,
    })
}

/// One exported function per (type, operator): `{ty}_{op}(a, b) = a op b`.
fn bin_op_module() -> Module {
    let mut functions = Vec::new();
    for ty in [I32, I64] {
        for op in ALL_BIN_OPS {
            let result = if op.is_comparison() { I32 } else { ty };
            let name = format!("{}_{}", ty.name(), op.name());
            let mut f = FnBuilder::exported(&name, &[result]);
            let a = f.param(ty);
            let b = f.param(ty);
            let entry = f.block();
            let dst = f.bin(entry, op, a, b);
            f.ret(entry, &[dst]);
            functions.push(f.finish());
        }
    }
    Module {
        functions,
        ..Module::default()
    }
}

#[test]
fn every_binary_operation_matches_the_reference() {
    let (mut store, instance) = instantiate(&bin_op_module());
    let values64 = [
        0,
        1,
        -1,
        2,
        7,
        -7,
        31,
        32,
        33,
        63,
        64,
        65,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        i64::MAX,
        i64::MIN,
        0x1234_5678_9abc_def0,
    ];
    let values32: Vec<i32> = values64.iter().map(|v| *v as i32).collect();
    for op in ALL_BIN_OPS {
        let f32 = format!("i32_{}", op.name());
        let f = instance
            .get_typed_func::<(i32, i32), i32>(&store, &f32)
            .unwrap();
        for &a in &values32 {
            for &b in &values32 {
                if let Some(expected) = reference_i32(op, a, b) {
                    assert_eq!(
                        f.call(&mut store, (a, b)).unwrap(),
                        expected,
                        "{f32}({a}, {b})"
                    );
                }
            }
        }
        let f64 = format!("i64_{}", op.name());
        for &a in &values64 {
            for &b in &values64 {
                let Some(expected) = reference_i64(op, a, b) else {
                    continue;
                };
                let got = if op.is_comparison() {
                    let f = instance
                        .get_typed_func::<(i64, i64), i32>(&store, &f64)
                        .unwrap();
                    i64::from(f.call(&mut store, (a, b)).unwrap())
                } else {
                    let f = instance
                        .get_typed_func::<(i64, i64), i64>(&store, &f64)
                        .unwrap();
                    f.call(&mut store, (a, b)).unwrap()
                };
                assert_eq!(got, expected, "{f64}({a}, {b})");
            }
        }
    }
}

#[test]
fn straight_line_arithmetic_with_conversions() {
    // f(a: i32, b: i64) -> (i64, i32, i64, i32, i64)
    let mut f = FnBuilder::exported("f", &[I64, I32, I64, I32, I64]);
    let a = f.param(I32);
    let b = f.param(I64);
    let e = f.block();
    let sx = f.conv(e, ConvOp::ExtendS, a);
    let zx = f.conv(e, ConvOp::ExtendU, a);
    let w = f.conv(e, ConvOp::Wrap, b);
    // An i32 constant keeps the low 32 bits of the IR's i64 value.
    let five = f.konst(e, I32, 0x1_0000_0005);
    let minus3 = f.konst(e, I64, -3);
    let scaled = f.bin(e, BinOp::Mul, sx, minus3);
    let r0 = f.bin(e, BinOp::Add, scaled, b);
    let r1 = f.bin(e, BinOp::Add, w, five);
    let lt = f.bin(e, BinOp::LtS, sx, b);
    let sel = f.reg(I32);
    f.inst(
        e,
        Inst::Select {
            dst: sel,
            cond: lt,
            if_true: w,
            if_false: five,
        },
    );
    let copy = f.reg(I64);
    f.inst(e, Inst::Move { dst: copy, src: zx });
    let shifted = f.bin(e, BinOp::ShrU, copy, minus3);
    f.ret(e, &[r0, r1, zx, sel, shifted]);
    let module = Module {
        functions: vec![f.finish()],
        ..Module::default()
    };

    let (mut store, instance) = instantiate(&module);
    let func = instance
        .get_typed_func::<(i32, i64), (i64, i32, i64, i32, i64)>(&store, "f")
        .unwrap();
    for (a, b) in [
        (-2i32, 0x1_2345_6789i64),
        (7, -100),
        (i32::MIN, i64::MAX),
        (0, 0),
    ] {
        let sx = i64::from(a);
        let zx = i64::from(a as u32);
        let w = b as i32;
        let expected = (
            sx.wrapping_mul(-3).wrapping_add(b),
            w.wrapping_add(5),
            zx,
            if sx < b { w } else { 5 },
            // The shift count is taken modulo 64: -3 shifts by 61.
            ((zx as u64) >> 61) as i64,
        );
        assert_eq!(
            func.call(&mut store, (a, b)).unwrap(),
            expected,
            "f({a}, {b})"
        );
    }
}

/// `sum(n) = 1 + 2 + ... + n`, as a loop through `Branch`.
fn sum_function() -> starstream_ir::Function {
    let mut f = FnBuilder::exported("sum", &[I64]);
    let n = f.param(I64);
    let entry = f.block();
    let head = f.block();
    let body = f.block();
    let exit = f.block();
    let i = f.konst(entry, I64, 1);
    let acc = f.konst(entry, I64, 0);
    let one = f.konst(entry, I64, 1);
    f.jump(entry, head);
    let more = f.bin(head, BinOp::LeS, i, n);
    f.branch(head, more, body, exit);
    f.update(body, acc, BinOp::Add, i);
    f.update(body, i, BinOp::Add, one);
    f.jump(body, head);
    f.ret(exit, &[acc]);
    f.finish()
}

#[test]
fn loop_via_branch() {
    let module = Module {
        functions: vec![sum_function()],
        ..Module::default()
    };
    let (mut store, instance) = instantiate(&module);
    let sum = instance.get_typed_func::<i64, i64>(&store, "sum").unwrap();
    for (n, expected) in [(0, 0), (1, 1), (10, 55), (-5, 0), (100_000, 5_000_050_000)] {
        assert_eq!(sum.call(&mut store, n).unwrap(), expected, "sum({n})");
    }
}

#[test]
fn irreducible_control_flow() {
    // Two blocks that jump into each other, entered at either one: no structured loop has two
    // entries, which is what the dispatcher loop is for.
    let mut f = FnBuilder::exported("ping_pong", &[I32]);
    let n = f.param(I32);
    let start = f.param(I32);
    let entry = f.block();
    let ping = f.block();
    let pong = f.block();
    let exit = f.block();
    let acc = f.konst(entry, I32, 0);
    let one = f.konst(entry, I32, 1);
    let ten = f.konst(entry, I32, 10);
    let zero = f.konst(entry, I32, 0);
    f.branch(entry, start, ping, pong);
    f.update(ping, acc, BinOp::Add, one);
    f.update(ping, n, BinOp::Sub, one);
    let more = f.bin(ping, BinOp::GtS, n, zero);
    f.branch(ping, more, pong, exit);
    f.update(pong, acc, BinOp::Add, ten);
    f.update(pong, n, BinOp::Sub, one);
    let more = f.bin(pong, BinOp::GtS, n, zero);
    f.branch(pong, more, ping, exit);
    f.ret(exit, &[acc]);
    let module = Module {
        functions: vec![f.finish()],
        ..Module::default()
    };
    let (mut store, instance) = instantiate(&module);
    let func = instance
        .get_typed_func::<(i32, i32), i32>(&store, "ping_pong")
        .unwrap();
    assert_eq!(func.call(&mut store, (3, 1)).unwrap(), 12);
    assert_eq!(func.call(&mut store, (3, 0)).unwrap(), 21);
    assert_eq!(func.call(&mut store, (1, 1)).unwrap(), 1);
    assert_eq!(func.call(&mut store, (4, 0)).unwrap(), 22);
}

fn switch_module() -> Module {
    // classify(x) = [10, 20, 30, 20][x], or 99 when x is out of range.
    let mut f = FnBuilder::exported("classify", &[I32]);
    let x = f.param(I32);
    let entry = f.block();
    let b1 = f.block();
    let b2 = f.block();
    let b3 = f.block();
    let default = f.block();
    f.term(
        entry,
        Terminator::Switch {
            value: x,
            targets: vec![b1, b2, b3, b2],
            default,
        },
    );
    for (b, v) in [(b1, 10), (b2, 20), (b3, 30), (default, 99)] {
        let r = f.konst(b, I32, v);
        f.ret(b, &[r]);
    }

    // A switch without targets always takes the default.
    let mut g = FnBuilder::exported("only_default", &[I32]);
    let x = g.param(I32);
    let entry = g.block();
    let default = g.block();
    g.term(
        entry,
        Terminator::Switch {
            value: x,
            targets: vec![],
            default,
        },
    );
    let r = g.konst(default, I32, 7);
    g.ret(default, &[r]);

    Module {
        functions: vec![f.finish(), g.finish()],
        ..Module::default()
    }
}

#[test]
fn switch_with_targets_and_default() {
    let (mut store, instance) = instantiate(&switch_module());
    let classify = instance
        .get_typed_func::<i32, i32>(&store, "classify")
        .unwrap();
    for (x, expected) in [
        (0, 10),
        (1, 20),
        (2, 30),
        (3, 20),
        (4, 99),
        (1000, 99),
        (-1, 99),
        (i32::MIN, 99),
        (i32::MAX, 99),
    ] {
        assert_eq!(
            classify.call(&mut store, x).unwrap(),
            expected,
            "classify({x})"
        );
    }
    let only_default = instance
        .get_typed_func::<i32, i32>(&store, "only_default")
        .unwrap();
    assert_eq!(only_default.call(&mut store, 0).unwrap(), 7);
    assert_eq!(only_default.call(&mut store, -3).unwrap(), 7);
}

fn call_module() -> Module {
    // #0 divmod(a, b) -> (a / b, a % b), unsigned; internal.
    let mut divmod = FnBuilder::new("divmod", None, &[I64, I64]);
    let a = divmod.param(I64);
    let b = divmod.param(I64);
    let e = divmod.block();
    let q = divmod.bin(e, BinOp::DivU, a, b);
    let r = divmod.bin(e, BinOp::RemU, a, b);
    divmod.ret(e, &[q, r]);

    // #1 swapped(a, b) -> (rem, quot, quot < rem): checks that results land in order.
    let mut swapped = FnBuilder::exported("swapped", &[I64, I64, I32]);
    let a = swapped.param(I64);
    let b = swapped.param(I64);
    let e = swapped.block();
    let qr = swapped.call(e, FuncId(0), &[a, b], &[I64, I64]);
    let lt = swapped.bin(e, BinOp::LtU, qr[0], qr[1]);
    swapped.ret(e, &[qr[1], qr[0], lt]);

    // #2 fact(n), recursive.
    let mut fact = FnBuilder::exported("fact", &[I64]);
    let n = fact.param(I64);
    let entry = fact.block();
    let base = fact.block();
    let step = fact.block();
    let one = fact.konst(entry, I64, 1);
    let small = fact.bin(entry, BinOp::LeS, n, one);
    fact.branch(entry, small, base, step);
    fact.ret(base, &[one]);
    let m = fact.bin(step, BinOp::Sub, n, one);
    let rec = fact.call(step, FuncId(2), &[m], &[I64]);
    let p = fact.bin(step, BinOp::Mul, n, rec[0]);
    fact.ret(step, &[p]);

    // #3 divmod exported under another name, to call the multi-value function directly.
    let mut direct = FnBuilder::exported("divmod", &[I64, I64]);
    let a = direct.param(I64);
    let b = direct.param(I64);
    let e = direct.block();
    let qr = direct.call(e, FuncId(0), &[a, b], &[I64, I64]);
    direct.ret(e, &qr);

    Module {
        functions: vec![
            divmod.finish(),
            swapped.finish(),
            fact.finish(),
            direct.finish(),
        ],
        ..Module::default()
    }
}

#[test]
fn calls_with_multiple_results() {
    let (mut store, instance) = instantiate(&call_module());
    let swapped = instance
        .get_typed_func::<(i64, i64), (i64, i64, i32)>(&store, "swapped")
        .unwrap();
    assert_eq!(swapped.call(&mut store, (47, 10)).unwrap(), (7, 4, 1));
    assert_eq!(swapped.call(&mut store, (100, 3)).unwrap(), (1, 33, 0));
    let divmod = instance
        .get_typed_func::<(i64, i64), (i64, i64)>(&store, "divmod")
        .unwrap();
    assert_eq!(
        divmod.call(&mut store, (-1, 10)).unwrap(),
        (1844674407370955161, 5)
    );
    let fact = instance.get_typed_func::<i64, i64>(&store, "fact").unwrap();
    assert_eq!(fact.call(&mut store, 0).unwrap(), 1);
    assert_eq!(fact.call(&mut store, 5).unwrap(), 120);
    assert_eq!(
        fact.call(&mut store, 20).unwrap(),
        2_432_902_008_176_640_000
    );
}

const ALL_TRAP_KINDS: [TrapKind; 5] = [
    TrapKind::Overflow,
    TrapKind::DivisionByZero,
    TrapKind::AssertFailed,
    TrapKind::Fail,
    TrapKind::Unreachable,
];

fn trap_module() -> Module {
    // The trap import is not first, so its function index is not 0.
    let imports = vec![
        Import {
            module: "env".to_string(),
            name: "mix".to_string(),
            params: vec![I64, I32],
            results: vec![I64, I32],
        },
        trap_import(),
    ];

    // checked_div(a, b) traps with DivisionByZero at site 1 when b == 0.
    let mut f = FnBuilder::exported("checked_div", &[I32]);
    let a = f.param(I32);
    let b = f.param(I32);
    let entry = f.block();
    let fail = f.block();
    let ok = f.block();
    let unused = f.block();
    f.trap(unused, TrapKind::Overflow); // site 0
    let zero = f.konst(entry, I32, 0);
    let is_zero = f.bin(entry, BinOp::Eq, b, zero);
    f.branch(entry, is_zero, fail, ok);
    let site = f.trap(fail, TrapKind::DivisionByZero);
    assert_eq!(site, 1);
    let q = f.bin(ok, BinOp::DivS, a, b);
    f.ret(ok, &[q]);

    // trap_kind(k) traps with kind k at site k.
    let mut g = FnBuilder::exported("trap_kind", &[]);
    let k = g.param(I32);
    let entry = g.block();
    let blocks: Vec<_> = ALL_TRAP_KINDS.iter().map(|_| g.block()).collect();
    let default = g.block();
    g.term(
        entry,
        Terminator::Switch {
            value: k,
            targets: blocks.clone(),
            default,
        },
    );
    for (b, kind) in blocks.iter().zip(ALL_TRAP_KINDS) {
        g.trap(*b, kind);
    }
    g.ret(default, &[]);

    Module {
        imports,
        functions: vec![f.finish(), g.finish()],
        ..Module::default()
    }
}

#[test]
fn trap_reports_kind_and_site_and_stops() {
    let (mut store, instance) = instantiate(&trap_module());
    let div = instance
        .get_typed_func::<(i32, i32), i32>(&store, "checked_div")
        .unwrap();
    assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
    assert!(store.data().traps.is_empty());
    let err = div.call(&mut store, (7, 0)).unwrap_err();
    assert!(err.to_string().contains("starstream trap"), "{err}");
    assert_eq!(store.data().traps, vec![(2, 1)]);

    let trap_kind = instance
        .get_typed_func::<i32, ()>(&store, "trap_kind")
        .unwrap();
    store.data_mut().traps.clear();
    // Sites are numbered across the module: the second function's follow the first's.
    let base = trap_module().trap_site_bases()[1] as i32;
    assert_eq!(base, 2);
    for (i, kind) in ALL_TRAP_KINDS.into_iter().enumerate() {
        assert!(trap_kind.call(&mut store, i as i32).is_err());
        assert_eq!(
            store.data().traps.last(),
            Some(&(trap_code(kind), base + i as i32))
        );
    }
    assert_eq!(
        store.data().traps.iter().map(|t| t.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    // Out of range: no trap.
    trap_kind.call(&mut store, 5).unwrap();
    assert_eq!(store.data().traps.len(), 5);
}

#[test]
fn host_call_with_params_and_results() {
    let imports = vec![Import {
        module: "env".to_string(),
        name: "mix".to_string(),
        params: vec![I64, I32],
        results: vec![I64, I32],
    }];
    // use_mix(a, b) = let (x, y) = mix(a, b) in (y, x + 1)
    let mut f = FnBuilder::exported("use_mix", &[I32, I64]);
    let a = f.param(I64);
    let b = f.param(I32);
    let e = f.block();
    let xy = f.call_host(e, ImportId(0), &[a, b], &[I64, I32]);
    let one = f.konst(e, I64, 1);
    let x1 = f.bin(e, BinOp::Add, xy[0], one);
    f.ret(e, &[xy[1], x1]);
    let module = Module {
        imports,
        functions: vec![f.finish()],
        ..Module::default()
    };
    let (mut store, instance) = instantiate(&module);
    let use_mix = instance
        .get_typed_func::<(i64, i32), (i32, i64)>(&store, "use_mix")
        .unwrap();
    // The host computes (a * 3 + b, b - 1).
    assert_eq!(use_mix.call(&mut store, (10, 4)).unwrap(), (3, 35));
    assert_eq!(use_mix.call(&mut store, (-2, 0)).unwrap(), (-1, -5));
    assert_eq!(store.data().mix_calls, vec![(10, 4), (-2, 0)]);
}

fn globals_module() -> Module {
    let globals = vec![
        Global {
            name: "counter".to_string(),
            ty: I32,
        },
        Global {
            name: "total".to_string(),
            ty: I64,
        },
    ];
    let g_counter = starstream_ir::GlobalId(0);
    let g_total = starstream_ir::GlobalId(1);

    let mut bump = FnBuilder::exported("bump", &[I32]);
    let e = bump.block();
    let c = bump.reg(I32);
    bump.inst(
        e,
        Inst::GlobalGet {
            dst: c,
            global: g_counter,
        },
    );
    let one = bump.konst(e, I32, 1);
    let c1 = bump.bin(e, BinOp::Add, c, one);
    bump.inst(
        e,
        Inst::GlobalSet {
            global: g_counter,
            src: c1,
        },
    );
    bump.ret(e, &[c1]);

    let mut add = FnBuilder::exported("add", &[I64]);
    let x = add.param(I64);
    let e = add.block();
    let t = add.reg(I64);
    add.inst(
        e,
        Inst::GlobalGet {
            dst: t,
            global: g_total,
        },
    );
    let t1 = add.bin(e, BinOp::Add, t, x);
    add.inst(
        e,
        Inst::GlobalSet {
            global: g_total,
            src: t1,
        },
    );
    add.ret(e, &[t1]);

    let mut get = FnBuilder::exported("get", &[I32, I64]);
    let e = get.block();
    let c = get.reg(I32);
    let t = get.reg(I64);
    get.inst(
        e,
        Inst::GlobalGet {
            dst: c,
            global: g_counter,
        },
    );
    get.inst(
        e,
        Inst::GlobalGet {
            dst: t,
            global: g_total,
        },
    );
    get.ret(e, &[c, t]);

    Module {
        globals,
        functions: vec![bump.finish(), add.finish(), get.finish()],
        ..Module::default()
    }
}

#[test]
fn globals_persist_across_calls() {
    let module = globals_module();
    let (mut store, instance) = instantiate(&module);
    let bump = instance.get_typed_func::<(), i32>(&store, "bump").unwrap();
    let add = instance.get_typed_func::<i64, i64>(&store, "add").unwrap();
    let get = instance
        .get_typed_func::<(), (i32, i64)>(&store, "get")
        .unwrap();
    assert_eq!(get.call(&mut store, ()).unwrap(), (0, 0));
    assert_eq!(bump.call(&mut store, ()).unwrap(), 1);
    assert_eq!(bump.call(&mut store, ()).unwrap(), 2);
    assert_eq!(add.call(&mut store, 5).unwrap(), 5);
    assert_eq!(add.call(&mut store, 1 << 40).unwrap(), 5 + (1 << 40));
    assert_eq!(get.call(&mut store, ()).unwrap(), (2, 5 + (1 << 40)));

    // A fresh instance starts from zero again.
    let (mut store, instance) = instantiate(&module);
    let get = instance
        .get_typed_func::<(), (i32, i64)>(&store, "get")
        .unwrap();
    assert_eq!(get.call(&mut store, ()).unwrap(), (0, 0));
}

/// All the modules above in one, with imports, globals and traps.
fn everything_module() -> Module {
    let mut module = trap_module();
    module.globals = globals_module().globals;
    let base = module.functions.len() as u32;
    for mut f in call_module().functions {
        // Renumber the calls into the appended functions.
        for block in &mut f.blocks {
            for inst in &mut block.insts {
                if let Inst::Call { func, .. } = inst {
                    func.0 += base;
                }
            }
        }
        module.functions.push(f);
    }
    module.functions.extend(globals_module().functions);
    module.functions.extend(switch_module().functions);
    module.functions.push(sum_function());
    module
}

#[test]
fn emission_is_deterministic() {
    let module = everything_module();
    let first = emit(&module).unwrap();
    let second = emit(&module).unwrap();
    let of_clone = emit(&module.clone()).unwrap();
    assert_eq!(first, second);
    assert_eq!(first, of_clone);
    // And the combined module still works.
    let (mut store, instance) = instantiate(&module);
    let fact = instance.get_typed_func::<i64, i64>(&store, "fact").unwrap();
    assert_eq!(fact.call(&mut store, 6).unwrap(), 720);
    let sum = instance.get_typed_func::<i64, i64>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 4).unwrap(), 10);
}

#[test]
fn report_counts_operators() {
    let module = everything_module();
    let report = check_subset(&emit(&module).unwrap()).unwrap();
    assert_eq!(report.functions, module.functions.len());
    // Every body has one dispatcher loop and its `br_table`, plus one per non-empty switch.
    assert_eq!(report.operator_counts["loop"], module.functions.len());
    assert_eq!(
        report.operator_counts["br_table"],
        module.functions.len() + 2
    );
    // One trap call per `Trap` terminator (7 in the trap module), and the calls to divmod
    // (twice) and fact.
    assert_eq!(report.operator_counts["call"], 7 + 3);
    assert_eq!(
        report.operators,
        report.operator_counts.values().sum::<usize>()
    );
    assert!(!report.operator_counts.keys().any(|k| k.starts_with('f')));
}
