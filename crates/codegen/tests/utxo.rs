//! A UTXO compiled end to end and driven like the runtime will drive it: created, then
//! resumed several times, each activation on a fresh instance whose only state is the frame,
//! which is saved to bytes and restored in between.

mod common;

use common::{forbid_the_rest, Activation};
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
    // Built once per process: the tests run in parallel, and writing the same source file from
    // several of them at once let one read it half-written.
    static BUILT: std::sync::OnceLock<(Vec<u8>, starstream_codegen::artifact::Metadata)> =
        std::sync::OnceLock::new();
    BUILT.get_or_init(build_once).clone()
}

fn build_once() -> (Vec<u8>, starstream_codegen::artifact::Metadata) {
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

/// Runs one activation on the shared test host (a fresh instance, the frame restored from
/// `frame` bytes); returns the results, the new frame bytes, and what the host saw. Traps and
/// raises are failures here: the counter does neither.
fn activate(
    wasm: &[u8],
    frame: &[u8],
    export: &str,
    args: &[i64],
) -> (Vec<i64>, Vec<u8>, Activation) {
    let act = Activation {
        frame: frame_from_bytes(frame),
        ..Activation::default()
    };
    let (out, act) = common::activate(wasm, export, args, act);
    assert!(
        act.trapped.is_none() && act.raised.is_none(),
        "{export} stopped: trap {:?}, raise {:?}",
        act.trapped,
        act.raised
    );
    let bytes = frame_to_bytes(&act.frame);
    (out, bytes, act)
}

fn get(wasm: &[u8], frame: &[u8]) -> i64 {
    let (out, after, host) = activate(wasm, frame, "Counter.get", &[]);
    assert!(host.yielded.is_none());
    assert_eq!(
        after, frame,
        "a non-resuming method leaves the frame as it was"
    );
    assert_eq!(out.len(), 1);
    out[0]
}

#[test]
fn a_utxo_yields_and_is_resumed_several_times_from_saved_frames() {
    let (wasm, meta) = build();
    let layout = &meta.utxos[0];
    assert_eq!(layout.utxo, "Counter");
    assert_eq!(layout.yield_points, 1);
    assert_eq!(layout.storage.len(), 2);

    // Create: `main` runs to its first `yield`.
    let (_, frame, host) = activate(&wasm, &[], "Counter.new", &[10, 3]);
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
        let (_, next, host) = activate(&wasm, &frame, "Counter.bump", &[]);
        assert_eq!(host.yielded, Some(1), "main paused again at its yield");
        expected += 1;
        assert_eq!(
            host.log,
            vec![("emit".to_string(), vec![0, expected])],
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
                let (_, frame, seen) = activate(&h.wasm, &[], &layout.create, &args);
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
                let (out, frame, seen) = activate(&h.wasm, &frame, &m.export, &args);
                if !m.resumes {
                    h.utxos.insert(handle, frame);
                    h.results = out;
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
