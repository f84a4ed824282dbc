//! Shared test helpers: a small builder for IR functions, and a wasmi harness whose
//! `starstream.trap` import records the trap and stops execution.

#![allow(dead_code)] // Each test binary uses a different part of these helpers.

use starstream_ir::{
    BinOp, Block, BlockId, ConvOp, FuncId, Function, ImportId, Inst, Module, Reg, ScalarTy,
    SourceSpan, Terminator, TrapKind,
};
use wasmi::{Caller, Engine, Instance, Linker, Store};

pub const I32: ScalarTy = ScalarTy::I32;
pub const I64: ScalarTy = ScalarTy::I64;

/// Builds one IR function. Blocks are created empty with a placeholder terminator that
/// [`FnBuilder::term`] replaces.
pub struct FnBuilder {
    f: Function,
}

impl FnBuilder {
    pub fn new(name: &str, export: Option<&str>, results: &[ScalarTy]) -> Self {
        FnBuilder {
            f: Function {
                export: export.map(str::to_string),
                name: name.to_string(),
                params: Vec::new(),
                results: results.to_vec(),
                regs: Vec::new(),
                blocks: Vec::new(),
                trap_sites: Vec::new(),
            },
        }
    }

    /// An exported function whose export name is its name.
    pub fn exported(name: &str, results: &[ScalarTy]) -> Self {
        Self::new(name, Some(name), results)
    }

    pub fn param(&mut self, ty: ScalarTy) -> Reg {
        let r = self.reg(ty);
        self.f.params.push(r);
        r
    }

    pub fn reg(&mut self, ty: ScalarTy) -> Reg {
        self.f.regs.push(ty);
        Reg(self.f.regs.len() as u32 - 1)
    }

    pub fn block(&mut self) -> BlockId {
        self.f.blocks.push(Block {
            insts: Vec::new(),
            term: Terminator::Return(Vec::new()),
        });
        BlockId(self.f.blocks.len() as u32 - 1)
    }

    pub fn inst(&mut self, b: BlockId, inst: Inst) {
        self.f.blocks[b.0 as usize].insts.push(inst);
    }

    pub fn term(&mut self, b: BlockId, term: Terminator) {
        self.f.blocks[b.0 as usize].term = term;
    }

    pub fn konst(&mut self, b: BlockId, ty: ScalarTy, value: i64) -> Reg {
        let dst = self.reg(ty);
        self.inst(b, Inst::Const { dst, value });
        dst
    }

    /// `a op b` into a new register of the right type (`i32` for comparisons).
    pub fn bin(&mut self, b: BlockId, op: BinOp, x: Reg, y: Reg) -> Reg {
        let ty = if op.is_comparison() {
            I32
        } else {
            self.f.regs[x.0 as usize]
        };
        let dst = self.reg(ty);
        self.inst(
            b,
            Inst::Bin {
                dst,
                op,
                a: x,
                b: y,
            },
        );
        dst
    }

    /// `dst = dst op y`, for loop-carried registers.
    pub fn update(&mut self, b: BlockId, dst: Reg, op: BinOp, y: Reg) {
        self.inst(
            b,
            Inst::Bin {
                dst,
                op,
                a: dst,
                b: y,
            },
        );
    }

    pub fn conv(&mut self, b: BlockId, op: ConvOp, src: Reg) -> Reg {
        let ty = match op {
            ConvOp::Wrap => I32,
            ConvOp::ExtendS | ConvOp::ExtendU => I64,
        };
        let dst = self.reg(ty);
        self.inst(b, Inst::Conv { dst, op, src });
        dst
    }

    pub fn call(
        &mut self,
        b: BlockId,
        func: FuncId,
        args: &[Reg],
        results: &[ScalarTy],
    ) -> Vec<Reg> {
        let dsts: Vec<Reg> = results.iter().map(|t| self.reg(*t)).collect();
        self.inst(
            b,
            Inst::Call {
                dsts: dsts.clone(),
                func,
                args: args.to_vec(),
            },
        );
        dsts
    }

    pub fn call_host(
        &mut self,
        b: BlockId,
        import: ImportId,
        args: &[Reg],
        results: &[ScalarTy],
    ) -> Vec<Reg> {
        let dsts: Vec<Reg> = results.iter().map(|t| self.reg(*t)).collect();
        self.inst(
            b,
            Inst::CallHost {
                dsts: dsts.clone(),
                import,
                args: args.to_vec(),
            },
        );
        dsts
    }

    pub fn ret(&mut self, b: BlockId, regs: &[Reg]) {
        self.term(b, Terminator::Return(regs.to_vec()));
    }

    pub fn jump(&mut self, b: BlockId, to: BlockId) {
        self.term(b, Terminator::Jump(to));
    }

    pub fn branch(&mut self, b: BlockId, cond: Reg, then: BlockId, otherwise: BlockId) {
        self.term(
            b,
            Terminator::Branch {
                cond,
                then,
                otherwise,
            },
        );
    }

    /// A `Trap` terminator with a fresh trap site; returns the site.
    pub fn trap(&mut self, b: BlockId, kind: TrapKind) -> u32 {
        let site = self.f.trap_sites.len() as u32;
        self.f.trap_sites.push(SourceSpan {
            file: 0,
            start: site * 10,
            end: site * 10 + 5,
        });
        self.term(b, Terminator::Trap { kind, site });
        site
    }

    pub fn finish(self) -> Function {
        self.f
    }
}

/// The `starstream.trap` import, `(i32, i32) -> ()`.
pub fn trap_import() -> starstream_ir::Import {
    starstream_ir::Import {
        module: "starstream".to_string(),
        name: "trap".to_string(),
        params: vec![I32, I32],
        results: vec![],
    }
}

/// Emits `module`, checks that the result is inside the subset, and returns the bytes.
pub fn emit_checked(module: &Module) -> Vec<u8> {
    let bytes = starstream_wasm::emit(module).unwrap_or_else(|e| panic!("emit failed: {e}"));
    let report = starstream_wasm::check_subset(&bytes)
        .unwrap_or_else(|e| panic!("emitted module is outside the subset: {e}"));
    assert_eq!(report.functions, module.functions.len());
    bytes
}

/// What the host saw during a run.
#[derive(Default)]
pub struct Host {
    /// `(kind code, site)` of every `starstream.trap` call.
    pub traps: Vec<(i32, i32)>,
    /// Arguments of every `env.mix` call.
    pub mix_calls: Vec<(i64, i32)>,
}

/// Emits and instantiates `module` with wasmi. The linker provides `starstream.trap`, which
/// records the trap and fails so the call stops, and `env.mix(i64, i32) -> (i64, i32)`.
pub fn instantiate(module: &Module) -> (Store<Host>, Instance) {
    let bytes = emit_checked(module);
    let engine = Engine::default();
    let wasm = wasmi::Module::new(&engine, &bytes).expect("wasmi accepts the module");
    let mut store = Store::new(&engine, Host::default());
    let mut linker = Linker::<Host>::new(&engine);
    linker
        .func_wrap(
            "starstream",
            "trap",
            |mut caller: Caller<'_, Host>, kind: i32, site: i32| -> Result<(), wasmi::Error> {
                caller.data_mut().traps.push((kind, site));
                Err(wasmi::Error::new(format!(
                    "starstream trap: kind {kind} at site {site}"
                )))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "env",
            "mix",
            |mut caller: Caller<'_, Host>, a: i64, b: i32| -> (i64, i32) {
                caller.data_mut().mix_calls.push((a, b));
                (a * 3 + i64::from(b), b - 1)
            },
        )
        .unwrap();
    let instance = linker
        .instantiate_and_start(&mut store, &wasm)
        .expect("instantiation succeeds");
    (store, instance)
}
