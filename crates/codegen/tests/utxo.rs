//! A UTXO compiled end to end and driven like the runtime will drive it: created, then
//! resumed several times, each activation on a fresh instance whose only state is the frame,
//! which is saved to bytes and restored in between.

mod common;

use common::forbid_the_rest;
use starstream_diagnostics::render_human;

const COUNTER: &str = "\
contract;

abi CounterAbi {
    fn bump();
    fn get() -> u64;
    event Bumped(count: u64);
}

utxo Counter {
    storage {
        let mut count: u64;
        let mut step: u64;
    }

    main fn new(pub start: u64, pub by: u64) {
        count = start;
        step = by;
        let pub mut rounds: u64 = 0;
        while (true) {
            yield(CounterAbi);
            rounds = rounds + 1;
            count = count + rounds * step;
        }
    }

    impl CounterAbi {
        fn bump() {
            count = count + 1;
            emit Bumped(count);
            resume;
        }

        fn get() -> u64 {
            count
        }
    }
}

/// Narrows any UTXO to a counter and checks it has not finished.
script fn inspect(u: Utxo, pub limit: u64) -> Utxo {
    if u is Counter {
        assert(u.get() < limit, \"the counter is past the limit\");
    }
    u
}

/// Creates a counter and bumps it twice in one transaction, keeping each continued handle.
script fn run(pub start: u64) -> Option<Counter> {
    let c = Counter::new(start, 2);
    let before = c.get();
    assert(before == start);
    match c.bump() {
        Some(next) => { next.bump() },
        None => { None },
    }
}
";

/// What the host holds for the process between and during activations.
#[derive(Default)]
struct Host {
    frame: Vec<i64>,
    staged: Vec<i64>,
    events: Vec<(i32, Vec<i64>)>,
    yielded: Option<i32>,
    trapped: Option<i32>,
}

fn frame_to_bytes(frame: &[i64]) -> Vec<u8> {
    frame.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn frame_from_bytes(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn build() -> (Vec<u8>, starstream_codegen::artifact::Metadata) {
    let dir = tempfile_dir();
    let path = dir.join("counter.star");
    std::fs::write(&path, COUNTER).unwrap();
    let ws = starstream_modules::load(&[path]);
    let checked = starstream_check::check(&ws);
    assert!(
        !checked.has_errors(),
        "{}",
        render_human(&ws.sources, &checked.diagnostics)
    );
    let built = starstream_codegen::build_contract(&ws, &checked, ws.modules[0].file)
        .unwrap_or_else(|d| panic!("{}", render_human(&ws.sources, &d)));
    starstream_wasm::check_subset(&built.wasm).expect("inside the subset");
    (built.wasm, built.metadata)
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("starstream-utxo-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs one activation: a fresh instance, the frame restored from `frame` bytes; returns the
/// result, the new frame bytes, and what the host saw.
fn activate(
    wasm: &[u8],
    frame: &[u8],
    export: &str,
    args: &[wasmi::Val],
    results: usize,
) -> (Vec<wasmi::Val>, Vec<u8>, Host) {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).unwrap();
    let host = Host {
        frame: frame_from_bytes(frame),
        ..Host::default()
    };
    let mut store = wasmi::Store::new(&engine, host);
    let mut linker = wasmi::Linker::<Host>::new(&engine);
    type C<'a> = wasmi::Caller<'a, Host>;
    linker
        .func_wrap(
            "starstream",
            "trap",
            |mut c: C<'_>, kind: i32, _site: i32| -> Result<(), wasmi::Error> {
                c.data_mut().trapped = Some(kind);
                Err(wasmi::Error::new("trap"))
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
        .func_wrap(
            "starstream",
            "yield",
            |mut c: C<'_>, point: i32| -> Result<(), wasmi::Error> {
                // `yield` never returns: the activation ends with the frame saved.
                let h = c.data_mut();
                if h.frame.is_empty() {
                    h.frame.push(0);
                }
                h.frame[0] = point as i64;
                h.yielded = Some(point);
                Err(wasmi::Error::new("yield"))
            },
        )
        .unwrap();
    linker
        .func_wrap("starstream", "stage", |mut c: C<'_>, v: i64| {
            c.data_mut().staged.push(v)
        })
        .unwrap();
    linker
        .func_wrap("starstream", "emit", |mut c: C<'_>, event: i32| {
            let staged = std::mem::take(&mut c.data_mut().staged);
            c.data_mut().events.push((event, staged));
        })
        .unwrap();
    // A UTXO process may not create or call UTXOs: the program imports them for its scripts.
    linker
        .func_wrap(
            "starstream",
            "result",
            |_: C<'_>, _i: i32| -> Result<i64, wasmi::Error> {
                Err(wasmi::Error::new("a UTXO read a call result"))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "utxo_create",
            |_: C<'_>, _t: i32| -> Result<i32, wasmi::Error> {
                Err(wasmi::Error::new("a UTXO cannot create a UTXO"))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "utxo_call",
            |_: C<'_>, _h: i64, _m: i32| -> Result<i32, wasmi::Error> {
                Err(wasmi::Error::new("a UTXO cannot call a UTXO"))
            },
        )
        .unwrap();
    forbid_the_rest(&mut linker, &module, "UTXO");
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let func = instance
        .get_func(&store, export)
        .unwrap_or_else(|| panic!("no export {export}"));
    let mut out = vec![wasmi::Val::I64(0); results];
    let outcome = func.call(&mut store, args, &mut out);
    let host = store.into_data();
    assert!(
        outcome.is_ok() || host.yielded.is_some(),
        "{export} failed: {outcome:?}"
    );
    let bytes = frame_to_bytes(&host.frame);
    (out, bytes, host)
}

fn get(wasm: &[u8], frame: &[u8]) -> i64 {
    let (out, after, host) = activate(wasm, frame, "Counter.get", &[], 1);
    assert!(host.yielded.is_none());
    assert_eq!(
        after, frame,
        "a non-resuming method leaves the frame as it was"
    );
    match out[0] {
        wasmi::Val::I64(v) => v,
        ref other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_utxo_yields_and_is_resumed_several_times_from_saved_frames() {
    let (wasm, meta) = build();
    let layout = &meta.utxos[0];
    assert_eq!(layout.utxo, "Counter");
    assert_eq!(layout.yield_points, 1);
    assert_eq!(layout.storage.len(), 2);

    // Create: `main` runs to its first `yield`.
    let (_, frame, host) = activate(
        &wasm,
        &[],
        "Counter.new",
        &[wasmi::Val::I64(10), wasmi::Val::I64(3)],
        0,
    );
    assert_eq!(host.yielded, Some(1));
    assert_eq!(
        frame_from_bytes(&frame)[0],
        1,
        "slot 0 holds the resume point"
    );
    assert_eq!(frame_from_bytes(&frame).len() as u32, layout.size);
    assert_eq!(get(&wasm, &frame), 10);

    // Each bump: +1 in the method, then `main` continues: rounds += 1; count += rounds * 3.
    let mut frame = frame;
    let mut expected = 10;
    for round in 1..=4 {
        let (_, next, host) = activate(&wasm, &frame, "Counter.bump", &[], 0);
        assert_eq!(host.yielded, Some(1), "main paused again at its yield");
        expected += 1;
        assert_eq!(
            host.events,
            vec![(0, vec![expected])],
            "Bumped carries the count"
        );
        expected += round * 3;
        frame = next;
        assert_eq!(get(&wasm, &frame), expected, "after bump {round}");
    }
}

#[test]
fn the_artifact_describes_the_frame_and_events() {
    let (_, meta) = build();
    let json = serde_json::to_value(&meta).unwrap();
    assert_eq!(json["utxos"][0]["storage"][0]["name"], "count");
    assert_eq!(json["utxos"][0]["storage"][0]["first_slot"], 1);
    assert_eq!(json["utxos"][0]["storage"][1]["first_slot"], 2);
    assert_eq!(json["utxos"][0]["live_base"], 3);
    assert_eq!(json["events"][0]["name"], "Bumped");
    assert_eq!(json["utxos"][0]["create_params"][1]["name"], "by");
    assert_eq!(json["utxos"][0]["methods"][0]["resumes"], true);
    assert_eq!(json["utxos"][0]["methods"][1]["export"], "Counter.get");
    assert_eq!(json["utxos"][0]["methods"][1]["result"]["type"], "u64");
    assert_eq!(
        json["utxos"][0]["methods"][1]["result"]["scalars"][0],
        "i64"
    );
}

/// A minimal host for the script process: UTXOs are kept as (type, frame bytes) by handle;
/// creating and calling run activations of the same program, as the runtime will.
struct ScriptHost {
    wasm: std::rc::Rc<Vec<u8>>,
    meta: std::rc::Rc<starstream_codegen::artifact::Metadata>,
    utxos: std::collections::BTreeMap<i64, Vec<u8>>,
    next_handle: i64,
    staged: Vec<i64>,
    results: Vec<i64>,
}

fn to_vals(values: &[i64], export: &str, wasm: &[u8]) -> Vec<wasmi::Val> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).unwrap();
    let ty = module
        .exports()
        .find(|e| e.name() == export)
        .and_then(|e| e.ty().func().cloned())
        .unwrap_or_else(|| panic!("no export {export}"));
    ty.params()
        .iter()
        .zip(values)
        .map(|(t, v)| match t {
            wasmi::ValType::I32 => wasmi::Val::I32(*v as i32),
            _ => wasmi::Val::I64(*v),
        })
        .collect()
}

fn result_count(export: &str, wasm: &[u8]) -> usize {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).unwrap();
    module
        .exports()
        .find(|e| e.name() == export)
        .and_then(|e| e.ty().func().map(|f| f.results().len()))
        .unwrap_or(0)
}

#[test]
fn a_script_creates_and_resumes_a_utxo_through_the_host() {
    let (wasm, meta) = build();
    let wasm = std::rc::Rc::new(wasm);
    let meta = std::rc::Rc::new(meta);
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &wasm[..]).unwrap();
    let host = ScriptHost {
        wasm: wasm.clone(),
        meta: meta.clone(),
        utxos: Default::default(),
        next_handle: 1,
        staged: Vec::new(),
        results: Vec::new(),
    };
    let mut store = wasmi::Store::new(&engine, host);
    let mut linker = wasmi::Linker::<ScriptHost>::new(&engine);
    type C<'a> = wasmi::Caller<'a, ScriptHost>;
    linker
        .func_wrap(
            "starstream",
            "trap",
            |_: C<'_>, kind: i32, _site: i32| -> Result<(), wasmi::Error> {
                Err(wasmi::Error::new(format!(
                    "script trapped with kind {kind}"
                )))
            },
        )
        .unwrap();
    linker
        .func_wrap("starstream", "stage", |mut c: C<'_>, v: i64| {
            c.data_mut().staged.push(v)
        })
        .unwrap();
    linker
        .func_wrap("starstream", "result", |c: C<'_>, i: i32| -> i64 {
            c.data().results[i as usize]
        })
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "utxo_create",
            |mut c: C<'_>, ty: i32| -> i32 {
                let h = c.data_mut();
                let layout = &h.meta.utxos[ty as usize];
                let args = std::mem::take(&mut h.staged);
                let vals = to_vals(&args, &layout.create, &h.wasm);
                let (_, frame, seen) = activate(&h.wasm, &[], &layout.create, &vals, 0);
                assert!(seen.yielded.is_some());
                let handle = h.next_handle;
                h.next_handle += 1;
                h.utxos.insert(handle, frame);
                h.results = vec![handle];
                starstream_abi::STATUS_YIELDED
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "utxo_call",
            |mut c: C<'_>, handle: i64, method: i32| -> i32 {
                let h = c.data_mut();
                let m = h.meta.utxos[0].methods[method as usize].clone();
                let frame = h.utxos.remove(&handle).expect("a live handle");
                let args = std::mem::take(&mut h.staged);
                let vals = to_vals(&args, &m.export, &h.wasm);
                let n = result_count(&m.export, &h.wasm);
                let (out, frame, seen) = activate(&h.wasm, &frame, &m.export, &vals, n);
                if !m.resumes {
                    h.utxos.insert(handle, frame);
                    h.results = out
                        .iter()
                        .map(|v| match v {
                            wasmi::Val::I32(x) => *x as i64,
                            wasmi::Val::I64(x) => *x,
                            other => panic!("{other:?}"),
                        })
                        .collect();
                    return starstream_abi::STATUS_RETURNED;
                }
                if seen.yielded.is_some() {
                    // Continued: the old handle is spent, the new one holds the new frame.
                    let next = h.next_handle;
                    h.next_handle += 1;
                    h.utxos.insert(next, frame);
                    h.results = vec![next];
                    starstream_abi::STATUS_YIELDED
                } else {
                    h.results = Vec::new();
                    starstream_abi::STATUS_ENDED
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "utxo_is",
            |c: C<'_>, handle: i64, ty: i32| -> i32 {
                // Handle 1000 stands for a UTXO of some other program.
                (ty == 0 && c.data().utxos.contains_key(&handle)) as i32
            },
        )
        .unwrap();
    // Scripts have no frame and never yield or emit here.
    linker
        .func_wrap(
            "starstream",
            "frame_load",
            |_: C<'_>, _s: i32| -> Result<i64, wasmi::Error> {
                Err(wasmi::Error::new("a script has no frame"))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "frame_store",
            |_: C<'_>, _s: i32, _v: i64| -> Result<(), wasmi::Error> {
                Err(wasmi::Error::new("a script has no frame"))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "yield",
            |_: C<'_>, _p: i32| -> Result<(), wasmi::Error> {
                Err(wasmi::Error::new("a script cannot yield"))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "emit",
            |_: C<'_>, _e: i32| -> Result<(), wasmi::Error> {
                Err(wasmi::Error::new("this script emits nothing"))
            },
        )
        .unwrap();
    forbid_the_rest(&mut linker, &module, "script");
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<i64, (i32, i64)>(&store, "run")
        .unwrap();
    let (tag, handle) = run.call(&mut store, 10).unwrap();
    // `is` narrows the continued handle to a counter, whose count (18) is checked.
    let inspect = instance
        .get_typed_func::<(i64, i64), i64>(&store, "inspect")
        .unwrap();
    assert_eq!(inspect.call(&mut store, (handle, 19)).unwrap(), handle);
    let err = inspect.call(&mut store, (handle, 18)).unwrap_err();
    assert!(err.to_string().contains("kind 3"), "{err}");
    // Another program's UTXO is not a counter: no method is called.
    assert_eq!(inspect.call(&mut store, (1000, 0)).unwrap(), 1000);
    assert_eq!(tag, 1, "Some(continued handle)");
    let host = store.into_data();
    assert_eq!(
        host.utxos.len(),
        1,
        "the created and first continued handles were spent"
    );
    // 10, then bump: 11 + 1*2 = 13, then bump: 14 + 2*2 = 18.
    assert_eq!(get(&wasm, &host.utxos[&handle]), 18);
}
