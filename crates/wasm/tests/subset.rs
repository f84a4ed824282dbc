//! `check_subset` on hand-assembled modules: what it accepts, and what it rejects and how.

use starstream_wasm::{check_subset, SubsetError};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, ImportSection, InstructionSink, MemArg,
    MemArgTarget, MemorySection, MemoryType, Module, StartSection, TableSection, TableType,
    TypeSection, ValType,
};

/// What goes into a one-function test module besides the body.
#[derive(Default)]
struct Extras {
    /// Import `env.f` of type 0 before the function, shifting its index to 1.
    import_func: bool,
    memory: Option<MemoryType>,
    export_memory: bool,
    table: bool,
    global: Option<(ValType, ConstExpr)>,
    export_global: bool,
    start: bool,
    data: bool,
}

fn memory32() -> MemoryType {
    MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    }
}

/// A module whose only defined function has type `params -> results`, the given locals, and
/// the body written by `body` (which must leave the stack as the results need; the final `end`
/// is added here). It is exported as "f".
fn module(
    params: &[ValType],
    results: &[ValType],
    locals: &[ValType],
    extras: Extras,
    body: impl FnOnce(&mut InstructionSink<'_>),
) -> Vec<u8> {
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types
        .ty()
        .function(params.iter().copied(), results.iter().copied());
    m.section(&types);
    if extras.import_func {
        let mut imports = ImportSection::new();
        imports.import("env", "f", EntityType::Function(0));
        m.section(&imports);
    }
    let func_index = u32::from(extras.import_func);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    m.section(&funcs);
    if extras.table {
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: wasm_encoder::RefType::FUNCREF,
            table64: false,
            minimum: 1,
            maximum: None,
            shared: false,
        });
        m.section(&tables);
    }
    if let Some(memory) = extras.memory {
        let mut memories = MemorySection::new();
        memories.memory(memory);
        m.section(&memories);
    }
    if let Some((ty, init)) = &extras.global {
        let mut globals = GlobalSection::new();
        globals.global(
            GlobalType {
                val_type: *ty,
                mutable: true,
                shared: false,
            },
            init,
        );
        m.section(&globals);
    }
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, func_index);
    if extras.export_memory {
        exports.export("memory", ExportKind::Memory, 0);
    }
    if extras.export_global {
        exports.export("g", ExportKind::Global, 0);
    }
    m.section(&exports);
    if extras.start {
        m.section(&StartSection {
            function_index: func_index,
        });
    }
    let mut code = CodeSection::new();
    let mut f = Function::new_with_locals_types(locals.iter().copied());
    {
        let mut sink = f.instructions();
        body(&mut sink);
        sink.end();
    }
    code.function(&f);
    m.section(&code);
    if extras.data {
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(8), b"hello".iter().copied());
        m.section(&data);
    }
    m.finish()
}

fn mem(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// Asserts that `result` rejects `operator` in function `func`, and that the offset points at
/// the operator's opcode byte.
fn assert_operator(
    wasm: &[u8],
    result: Result<starstream_wasm::SubsetReport, SubsetError>,
    operator: &str,
    func: u32,
    opcode: u8,
) {
    match result {
        Err(SubsetError::Operator {
            func: f,
            offset,
            operator: op,
        }) => {
            assert_eq!(op, operator);
            assert_eq!(f, func);
            assert_eq!(wasm[offset as usize], opcode, "offset {offset:#x}");
        }
        other => panic!("expected operator `{operator}` to be rejected, got {other:?}"),
    }
}

#[test]
fn accepts_the_whole_subset() {
    use ValType::{I32, I64};
    let extras = Extras {
        import_func: true,
        memory: Some(memory32()),
        export_memory: true,
        global: Some((I64, ConstExpr::i64_const(-1))),
        data: true,
        ..Extras::default()
    };
    let wasm = module(&[I32, I64], &[I32, I64], &[I32, I64], extras, |s| {
        // Every load and store width.
        s.i32_const(0).local_get(0).i32_store(mem(0, 2));
        s.i32_const(0).local_get(1).i64_store(mem(8, 3));
        s.i32_const(0).local_get(0).i32_store8(mem(0, 0));
        s.i32_const(0).local_get(0).i32_store16(mem(0, 1));
        s.i32_const(0).local_get(1).i64_store8(mem(0, 0));
        s.i32_const(0).local_get(1).i64_store16(mem(0, 1));
        s.i32_const(0).local_get(1).i64_store32(mem(0, 2));
        s.i32_const(0).i32_load(mem(0, 2)).drop();
        s.i32_const(0).i64_load(mem(0, 3)).drop();
        s.i32_const(0).i32_load8_s(mem(0, 0)).drop();
        s.i32_const(0).i32_load8_u(mem(0, 0)).drop();
        s.i32_const(0).i32_load16_s(mem(0, 1)).drop();
        s.i32_const(0).i32_load16_u(mem(0, 1)).drop();
        s.i32_const(0).i64_load8_s(mem(0, 0)).drop();
        s.i32_const(0).i64_load8_u(mem(0, 0)).drop();
        s.i32_const(0).i64_load16_s(mem(0, 1)).drop();
        s.i32_const(0).i64_load16_u(mem(0, 1)).drop();
        s.i32_const(0).i64_load32_s(mem(0, 2)).drop();
        s.i32_const(0).i64_load32_u(mem(0, 2)).drop();
        // Bit operations, conversions and comparisons.
        s.local_get(0).i32_clz().i32_ctz().i32_popcnt();
        s.i32_const(3)
            .i32_rotl()
            .i32_const(5)
            .i32_rotr()
            .local_set(2);
        s.local_get(1).i64_clz().i64_ctz().i64_popcnt();
        s.i64_const(3)
            .i64_rotl()
            .i64_const(5)
            .i64_rotr()
            .local_tee(3);
        s.i32_wrap_i64()
            .i64_extend_i32_s()
            .i32_wrap_i64()
            .i64_extend_i32_u();
        s.i64_eqz().i32_eqz().drop();
        // Globals and structured control flow.
        s.global_get(0).global_set(0);
        s.block(BlockType::Result(I32))
            .local_get(0)
            .local_get(0)
            .br_if(0)
            .end()
            .drop();
        s.local_get(0)
            .if_(BlockType::Empty)
            .nop()
            .else_()
            .nop()
            .end();
        s.loop_(BlockType::Empty)
            .local_get(2)
            .br_table([0], 0)
            .end();
        // The untyped select, a call, an unreachable branch.
        s.local_get(0).local_get(1).call(0).drop().drop();
        s.local_get(0)
            .i32_eqz()
            .if_(BlockType::Empty)
            .unreachable()
            .end();
        s.local_get(2)
            .local_get(0)
            .i32_const(1)
            .select()
            .local_get(3)
            .return_();
    });
    let report = check_subset(&wasm).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.functions, 1);
    assert_eq!(report.operator_counts["i64.store32"], 1);
    assert_eq!(report.operator_counts["select"], 1);
    assert_eq!(report.operator_counts["end"], 5);
    assert_eq!(
        report.operators,
        report.operator_counts.values().sum::<usize>()
    );
}

#[test]
fn rejects_floats() {
    // An f32 operator.
    let wasm = module(&[], &[], &[], Extras::default(), |s| {
        s.f32_const(1.5.into()).drop();
    });
    assert_operator(&wasm, check_subset(&wasm), "F32Const", 0, 0x43);

    // With an imported function first, the body's function index is 1.
    let extras = Extras {
        import_func: true,
        ..Extras::default()
    };
    let wasm = module(&[], &[], &[], extras, |s| {
        s.i32_const(1).f32_convert_i32_s().drop();
    });
    assert_operator(&wasm, check_subset(&wasm), "F32ConvertI32S", 1, 0xb2);

    // An f64 local, even unused.
    let wasm = module(&[], &[], &[ValType::F64], Extras::default(), |_| {});
    let err = check_subset(&wasm).unwrap_err();
    assert!(
        matches!(&err, SubsetError::Module { reason, .. } if reason.contains("local of function 0") && reason.contains("f64")),
        "{err}"
    );

    // An f32 parameter.
    let wasm = module(&[ValType::F32], &[], &[], Extras::default(), |_| {});
    let err = check_subset(&wasm).unwrap_err();
    assert!(
        matches!(&err, SubsetError::Module { reason, .. } if reason.contains("function type")),
        "{err}"
    );

    // An f32 global.
    let extras = Extras {
        global: Some((ValType::F32, ConstExpr::f32_const(0.0.into()))),
        ..Extras::default()
    };
    let wasm = module(&[], &[], &[], extras, |_| {});
    assert!(matches!(
        check_subset(&wasm),
        Err(SubsetError::Module { .. })
    ));

    // An f64-typed block.
    let wasm = module(&[], &[], &[], Extras::default(), |s| {
        s.block(BlockType::Result(ValType::F64))
            .unreachable()
            .end()
            .drop();
    });
    let err = check_subset(&wasm).unwrap_err();
    assert!(
        matches!(&err, SubsetError::Module { reason, .. } if reason.contains("block")),
        "{err}"
    );
}

#[test]
fn rejects_tables_and_call_indirect() {
    let extras = Extras {
        table: true,
        ..Extras::default()
    };
    let wasm = module(&[], &[], &[], extras, |s| {
        s.i32_const(0).call_indirect(0, 0);
    });
    // Validation passes; the table is what the subset refuses, before the body is reached.
    let err = check_subset(&wasm).unwrap_err();
    assert!(
        matches!(&err, SubsetError::Module { reason, .. } if reason.contains("table")),
        "{err}"
    );
    assert!(err.to_string().contains("outside the supported subset"));
}

#[test]
fn rejects_memory_grow_and_size() {
    let extras = || Extras {
        memory: Some(memory32()),
        ..Extras::default()
    };
    let wasm = module(&[], &[], &[], extras(), |s| {
        s.i32_const(1).memory_grow(0).drop();
    });
    let result = check_subset(&wasm);
    assert_operator(&wasm, result.clone(), "MemoryGrow", 0, 0x40);
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("MemoryGrow") && message.contains("function 0"),
        "{message}"
    );

    let wasm = module(&[], &[], &[], extras(), |s| {
        s.memory_size(0).drop();
    });
    assert_operator(&wasm, check_subset(&wasm), "MemorySize", 0, 0x3f);

    // Bulk memory too.
    let wasm = module(&[], &[], &[], extras(), |s| {
        s.i32_const(0).i32_const(0).i32_const(0).memory_fill(0);
    });
    assert_operator(&wasm, check_subset(&wasm), "MemoryFill", 0, 0xfc);
}

#[test]
fn rejects_tail_calls() {
    let wasm = module(&[], &[], &[], Extras::default(), |s| {
        s.return_call(0);
    });
    assert_operator(&wasm, check_subset(&wasm), "ReturnCall", 0, 0x12);
}

#[test]
fn rejects_other_operators() {
    // Sign-extension operators are not in the list.
    let wasm = module(&[], &[], &[], Extras::default(), |s| {
        s.i32_const(1).i32_extend8_s().drop();
    });
    assert_operator(&wasm, check_subset(&wasm), "I32Extend8S", 0, 0xc0);

    // Only the untyped select.
    let wasm = module(&[], &[], &[], Extras::default(), |s| {
        s.i32_const(1)
            .i32_const(2)
            .i32_const(0)
            .typed_select(ValType::I32)
            .drop();
    });
    assert_operator(&wasm, check_subset(&wasm), "TypedSelect", 0, 0x1c);

    // Reference types.
    let wasm = module(&[], &[], &[], Extras::default(), |s| {
        s.ref_null(wasm_encoder::HeapType::FUNC).drop();
    });
    assert_operator(&wasm, check_subset(&wasm), "RefNull", 0, 0xd0);
}

#[test]
fn rejects_module_level_features() {
    let cases: Vec<(&str, Extras)> = vec![
        (
            "export",
            Extras {
                global: Some((ValType::I32, ConstExpr::i32_const(0))),
                export_global: true,
                ..Extras::default()
            },
        ),
        (
            "start function",
            Extras {
                start: true,
                ..Extras::default()
            },
        ),
        (
            "64-bit memory",
            Extras {
                memory: Some(MemoryType {
                    memory64: true,
                    ..memory32()
                }),
                ..Extras::default()
            },
        ),
        (
            "global initializer",
            Extras {
                global: Some((
                    ValType::I32,
                    ConstExpr::i32_const(1).with_i32_const(2).with_i32_add(),
                )),
                ..Extras::default()
            },
        ),
    ];
    for (what, extras) in cases {
        let wasm = module(&[], &[], &[], extras, |_| {});
        let err = check_subset(&wasm).unwrap_err();
        assert!(
            matches!(&err, SubsetError::Module { reason, .. } if reason.contains(what)),
            "expected a rejection mentioning {what:?}, got {err}"
        );
    }
}

#[test]
fn rejects_garbage_without_panicking() {
    let valid = module(&[], &[], &[], Extras::default(), |_| {});
    check_subset(&valid).unwrap();
    // Every truncation and every single-byte corruption: some still give a valid module (a
    // cut at a section boundary, say), but none may panic.
    for len in 0..valid.len() {
        let _ = check_subset(&valid[..len]);
    }
    for i in 0..valid.len() {
        let mut bytes = valid.clone();
        bytes[i] ^= 0xa5;
        let _ = check_subset(&bytes);
    }
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not wasm at all".to_vec(),
        b"\0asm".to_vec(),
        vec![0xff; 64],
        // Cut inside the code section.
        valid[..valid.len() - 1].to_vec(),
    ];
    for bytes in inputs {
        let err = check_subset(&bytes).unwrap_err();
        assert!(
            matches!(err, SubsetError::Invalid { .. }),
            "{bytes:?}: {err}"
        );
        assert!(err.to_string().starts_with("invalid WebAssembly module"));
    }
}
