//! `emit` rejects malformed IR with an error that names the function, block and problem.

mod common;

use common::*;
use starstream_ir::{
    BinOp, BlockId, FuncId, GlobalId, Import, ImportId, Inst, Module, Reg, Terminator, TrapKind,
};
use starstream_wasm::{emit, EmitError, EmitErrorKind};

fn module_of(functions: Vec<starstream_ir::Function>) -> Module {
    Module {
        functions,
        ..Module::default()
    }
}

fn trapping_function() -> starstream_ir::Function {
    let mut f = FnBuilder::exported("boom", &[]);
    let e = f.block();
    f.trap(e, TrapKind::Fail);
    f.finish()
}

#[test]
fn trap_without_trap_import() {
    let err = emit(&module_of(vec![trapping_function()])).unwrap_err();
    assert_eq!(
        err,
        EmitError {
            func: Some((FuncId(0), "boom".to_string())),
            block: Some(BlockId(0)),
            inst: None,
            kind: EmitErrorKind::MissingTrapImport,
        }
    );
    assert_eq!(
        err.to_string(),
        "in function #0 `boom`, block b0, terminator: the function traps but the module has no \
         `starstream.trap` import"
    );
}

#[test]
fn trap_import_with_wrong_type() {
    let mut import = trap_import();
    import.params = vec![I64];
    let module = Module {
        imports: vec![import],
        functions: vec![trapping_function()],
        ..Module::default()
    };
    let err = emit(&module).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::TrapImportSignature {
            import: ImportId(0)
        }
    );
}

#[test]
fn trap_import_is_only_needed_by_traps() {
    let mut f = FnBuilder::exported("fine", &[]);
    let e = f.block();
    f.ret(e, &[]);
    let bytes = emit(&module_of(vec![f.finish()])).unwrap();
    starstream_wasm::check_subset(&bytes).unwrap();
}

#[test]
fn trap_site_out_of_range() {
    let mut f = FnBuilder::exported("boom", &[]);
    let e = f.block();
    f.term(
        e,
        Terminator::Trap {
            kind: TrapKind::Overflow,
            site: 0,
        },
    );
    let module = Module {
        imports: vec![trap_import()],
        functions: vec![f.finish()],
        ..Module::default()
    };
    let err = emit(&module).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::TrapSiteOutOfRange { site: 0, sites: 0 }
    );
}

#[test]
fn register_type_mismatch() {
    let mut f = FnBuilder::exported("mixed", &[I32]);
    let a = f.param(I32);
    let b = f.param(I64);
    let e = f.block();
    let c = f.bin(e, BinOp::Add, a, b);
    f.ret(e, &[c]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(err.block, Some(BlockId(0)));
    assert_eq!(err.inst, Some(0));
    assert_eq!(
        err.kind,
        EmitErrorKind::RegTypeMismatch {
            reg: Reg(1),
            expected: I32,
            found: I64,
        }
    );
    assert_eq!(
        err.to_string(),
        "in function #0 `mixed`, block b0, instruction 0: register %1 has type i64 where i32 is \
         expected"
    );
}

#[test]
fn return_of_the_wrong_type_and_arity() {
    let mut f = FnBuilder::exported("f", &[I64]);
    let a = f.param(I32);
    let e = f.block();
    f.ret(e, &[a]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert!(matches!(err.kind, EmitErrorKind::RegTypeMismatch { .. }));

    let mut f = FnBuilder::exported("f", &[I64, I64]);
    let a = f.param(I64);
    let e = f.block();
    f.ret(e, &[a]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::ArityMismatch {
            what: "returned values",
            expected: 2,
            found: 1
        }
    );
}

#[test]
fn conversion_and_select_types_are_checked() {
    let mut f = FnBuilder::exported("f", &[I32]);
    let a = f.param(I32);
    let e = f.block();
    let dst = f.reg(I32);
    f.inst(
        e,
        Inst::Conv {
            dst,
            op: starstream_ir::ConvOp::Wrap,
            src: a,
        },
    );
    f.ret(e, &[dst]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::RegTypeMismatch {
            reg: a,
            expected: I64,
            found: I32
        }
    );

    let mut f = FnBuilder::exported("f", &[I32]);
    let a = f.param(I32);
    let wide = f.param(I64);
    let e = f.block();
    let dst = f.reg(I32);
    f.inst(
        e,
        Inst::Select {
            dst,
            cond: wide,
            if_true: a,
            if_false: a,
        },
    );
    f.ret(e, &[dst]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::RegTypeMismatch {
            reg: wide,
            expected: I32,
            found: I64
        }
    );
}

#[test]
fn references_out_of_range() {
    // Block.
    let mut f = FnBuilder::exported("f", &[]);
    let e = f.block();
    f.jump(e, BlockId(3));
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::BlockOutOfRange {
            block: BlockId(3),
            blocks: 1
        }
    );

    // Register.
    let mut f = FnBuilder::exported("f", &[]);
    let e = f.block();
    f.inst(
        e,
        Inst::Move {
            dst: Reg(0),
            src: Reg(9),
        },
    );
    f.ret(e, &[]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::RegOutOfRange {
            reg: Reg(9),
            regs: 0
        }
    );

    // Function.
    let mut f = FnBuilder::exported("f", &[]);
    let e = f.block();
    f.call(e, FuncId(5), &[], &[]);
    f.ret(e, &[]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::FuncOutOfRange {
            func: FuncId(5),
            funcs: 1
        }
    );

    // Import.
    let mut f = FnBuilder::exported("f", &[]);
    let e = f.block();
    f.call_host(e, ImportId(0), &[], &[]);
    f.ret(e, &[]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::ImportOutOfRange {
            import: ImportId(0),
            imports: 0
        }
    );

    // Global.
    let mut f = FnBuilder::exported("f", &[]);
    let e = f.block();
    let r = f.reg(I32);
    f.inst(
        e,
        Inst::GlobalGet {
            dst: r,
            global: GlobalId(0),
        },
    );
    f.ret(e, &[]);
    let err = emit(&module_of(vec![f.finish()])).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::GlobalOutOfRange {
            global: GlobalId(0),
            globals: 0
        }
    );
}

#[test]
fn call_arity_and_types_are_checked() {
    let mut callee = FnBuilder::new("callee", None, &[I64]);
    let p = callee.param(I64);
    let e = callee.block();
    callee.ret(e, &[p]);

    // Too few arguments.
    let mut f = FnBuilder::exported("f", &[]);
    let e = f.block();
    f.call(e, FuncId(0), &[], &[I64]);
    f.ret(e, &[]);
    let err = emit(&module_of(vec![callee.finish(), f.finish()])).unwrap_err();
    assert_eq!(err.func, Some((FuncId(1), "f".to_string())));
    assert_eq!(
        err.kind,
        EmitErrorKind::ArityMismatch {
            what: "call arguments",
            expected: 1,
            found: 0
        }
    );

    // A host call whose result register has the wrong type.
    let module = Module {
        imports: vec![Import {
            module: "env".to_string(),
            name: "get".to_string(),
            params: vec![],
            results: vec![I64],
        }],
        functions: vec![{
            let mut f = FnBuilder::exported("f", &[]);
            let e = f.block();
            f.call_host(e, ImportId(0), &[], &[I32]);
            f.ret(e, &[]);
            f.finish()
        }],
        ..Module::default()
    };
    let err = emit(&module).unwrap_err();
    assert_eq!(
        err.kind,
        EmitErrorKind::RegTypeMismatch {
            reg: Reg(0),
            expected: I64,
            found: I32
        }
    );
}

#[test]
fn function_shape_errors() {
    // No blocks.
    let f = FnBuilder::exported("empty", &[]).finish();
    let err = emit(&module_of(vec![f])).unwrap_err();
    assert_eq!(err.kind, EmitErrorKind::NoBlocks);
    assert_eq!(
        err.to_string(),
        "in function #0 `empty`: the function has no blocks"
    );

    // The same register as two parameters.
    let mut f = FnBuilder::exported("twice", &[]);
    let p = f.param(I32);
    let e = f.block();
    f.ret(e, &[]);
    let mut f = f.finish();
    f.params.push(p);
    let err = emit(&module_of(vec![f])).unwrap_err();
    assert_eq!(err.kind, EmitErrorKind::DuplicateParam(p));

    // Two functions exported under one name.
    let make = |name: &str| {
        let mut f = FnBuilder::new(name, Some("main"), &[]);
        let e = f.block();
        f.ret(e, &[]);
        f.finish()
    };
    let err = emit(&module_of(vec![make("a"), make("b")])).unwrap_err();
    assert_eq!(err.kind, EmitErrorKind::DuplicateExport("main".to_string()));
    assert_eq!(err.func, Some((FuncId(1), "b".to_string())));
}
