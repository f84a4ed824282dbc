//! A UTXO compiled end to end and driven like the runtime will drive it: created, then
//! resumed several times, each activation on a fresh instance whose only state is the frame,
//! which is saved to bytes and restored in between.

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
}
