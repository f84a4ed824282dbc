//! Helpers shared by the test hosts: the host side of one activation of a UTXO or token
//! process, and the imports a process may not use.

use std::collections::BTreeMap;

/// Defines every import of `module` that the linker lacks as a call this process may not
/// make (one module serves every process of a contract, so it imports more than one uses).
pub fn forbid_the_rest<T>(
    linker: &mut wasmi::Linker<T>,
    module: &wasmi::Module,
    process: &'static str,
) {
    for import in module.imports() {
        if let wasmi::ExternType::Func(ty) = import.ty() {
            let name = import.name().to_string();
            // A name that is already defined is refused, which leaves its definition.
            let _ = linker.func_new(
                import.module(),
                import.name(),
                ty.clone(),
                move |_, _, _| Err(wasmi::Error::new(format!("a {process} called `{name}`"))),
            );
        }
    }
}

/// What one process does during one activation, as the host sees it.
#[derive(Default)]
pub struct Activation {
    pub frame: Vec<i64>,
    pub staged: Vec<i64>,
    pub results: Vec<i64>,
    /// Answers to give, in order, to the `raise`s of this activation.
    pub answers: Vec<Vec<i64>>,
    /// The effect (index and arguments) that stopped the activation, waiting for an answer.
    pub raised: Option<(i32, Vec<i64>)>,
    /// The resume point passed to `yield`, when the activation paused.
    pub yielded: Option<i32>,
    pub trapped: Option<i32>,
    /// Every host call: name and arguments (staged values included for `emit` and `raise`).
    pub log: Vec<(String, Vec<i64>)>,
    /// Token amounts the host knows, by id.
    pub amounts: BTreeMap<i64, i64>,
}

type C<'a> = wasmi::Caller<'a, Activation>;

pub fn vals(values: &[i64], ty: &wasmi::FuncType) -> Vec<wasmi::Val> {
    ty.params()
        .iter()
        .zip(values)
        .map(|(t, v)| match t {
            wasmi::ValType::I32 => wasmi::Val::I32(*v as i32),
            _ => wasmi::Val::I64(*v),
        })
        .collect()
}

pub fn scalar(v: &wasmi::Val) -> i64 {
    match v {
        wasmi::Val::I32(x) => *x as i64,
        wasmi::Val::I64(x) => *x,
        other => panic!("not a scalar: {other:?}"),
    }
}

/// Runs export `export` of a UTXO or token process on a fresh instance.
pub fn activate(
    wasm: &[u8],
    export: &str,
    args: &[i64],
    act: Activation,
) -> (Vec<i64>, Activation) {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).unwrap();
    let mut store = wasmi::Store::new(&engine, act);
    let mut linker = wasmi::Linker::<Activation>::new(&engine);
    linker
        .func_wrap("starstream", "trap", |mut c: C<'_>, kind: i32, _: i32| {
            c.data_mut().trapped = Some(kind);
            Err::<(), _>(wasmi::Error::new("trap"))
        })
        .unwrap();
    linker
        .func_wrap("starstream", "stage", |mut c: C<'_>, v: i64| {
            c.data_mut().staged.push(v)
        })
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "result",
            |c: C<'_>, i: i32| -> Result<i64, wasmi::Error> {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| c.data().results.get(i).copied())
                    .ok_or_else(|| wasmi::Error::new(format!("result({i}) is out of range")))
            },
        )
        .unwrap();
    linker
        .func_wrap("starstream", "frame_load", |c: C<'_>, slot: i32| -> i64 {
            c.data().frame.get(slot as usize).copied().unwrap_or(0)
        })
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "frame_store",
            |mut c: C<'_>, slot: i32, value: i64| {
                let frame = &mut c.data_mut().frame;
                if frame.len() <= slot as usize {
                    frame.resize(slot as usize + 1, 0);
                }
                frame[slot as usize] = value;
            },
        )
        .unwrap();
    linker
        .func_wrap("starstream", "yield", |mut c: C<'_>, point: i32| {
            let a = c.data_mut();
            if a.frame.is_empty() {
                a.frame.push(0);
            }
            a.frame[0] = point as i64;
            a.yielded = Some(point);
            Err::<(), _>(wasmi::Error::new("yield"))
        })
        .unwrap();
    linker
        .func_wrap("starstream", "emit", |mut c: C<'_>, event: i32| {
            let a = c.data_mut();
            let mut args = vec![event as i64];
            args.append(&mut a.staged);
            a.log.push(("emit".into(), args));
        })
        .unwrap();
    linker
        .func_wrap("starstream", "raise", |mut c: C<'_>, effect: i32| {
            let a = c.data_mut();
            let args = std::mem::take(&mut a.staged);
            if a.answers.is_empty() {
                a.raised = Some((effect, args));
                return Err(wasmi::Error::new("suspended at raise"));
            }
            a.log.push(("raise".into(), args));
            a.results = a.answers.remove(0);
            Ok(())
        })
        .unwrap();
    linker
        .func_wrap("starstream", "token_amount", |c: C<'_>, t: i64| -> i64 {
            c.data().amounts[&t]
        })
        .unwrap();
    linker
        .func_wrap("starstream", "token_give", |mut c: C<'_>, t: i64| {
            c.data_mut().log.push(("token_give".into(), vec![t]))
        })
        .unwrap();
    forbid_the_rest(&mut linker, &module, "UTXO or token");
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let func = instance.get_func(&store, export).unwrap();
    let ty = func.ty(&store);
    let mut out: Vec<wasmi::Val> = ty
        .results()
        .iter()
        .map(|t| wasmi::Val::default_for_ty(*t))
        .collect();
    let outcome = func.call(&mut store, &vals(args, &ty), &mut out);
    let act = store.into_data();
    if outcome.is_err() {
        assert!(
            act.yielded.is_some() || act.raised.is_some() || act.trapped.is_some(),
            "{export} failed: {outcome:?}"
        );
    }
    (out.iter().map(scalar).collect(), act)
}
