//! Where the token transfer's proof bytes go: each part of the batch proof (commitments,
//! out-of-domain openings, the FRI query openings, their salts and Merkle paths) and each
//! table's width and height, with the prove and verify times, so work on proof size starts
//! from figures.
//!
//! Run with `cargo run --release -p starstream-bench --bin proof_size`.

use starstream_bench::token_transfer;
use starstream_proof::backend::{Backend, BatchStark};
use starstream_proof::envelope::Envelope;
use starstream_proof::{BatchProof, TABLES};
use starstream_runtime::{Executor, MemoryLedger};

fn size<T: serde::Serialize>(value: &T) -> usize {
    postcard::to_allocvec(value).expect("it encodes").len()
}

fn main() {
    let mut ledger = MemoryLedger::new();
    let wallet = ledger.deploy(starstream_bench::build_artifact(
        "examples/wallet/wallet.star",
    ));
    let pay = token_transfer(&mut ledger, wallet);
    let executed = Executor::tracing()
        .execute(&ledger, &pay)
        .expect("the transaction runs");
    let tables = starstream_prover::tables(&executed.tx, &executed.witness).expect("tables");
    let started = std::time::Instant::now();
    let encoded = starstream_prover::prove_tables(&tables).expect("it proves");
    let prove = started.elapsed();
    let verify = starstream_bench::best_of(std::time::Duration::from_millis(500), || {
        starstream_verifier::verify(&executed.tx, &encoded, &executed.witness.modules)
            .expect("it verifies");
    });
    let envelope = Envelope::decode(&encoded).expect("it decodes");
    let proof: BatchProof = postcard::from_bytes(&envelope.proof).expect("a batch proof");
    // Where verifying goes: decoding the program table from the modules, and preparing the
    // backend (the lookups' layout), both before any check of the proof itself.
    let modules: Vec<Vec<u8>> = envelope
        .about
        .programs
        .iter()
        .map(|(hash, _)| executed.witness.modules[hash].clone())
        .collect();
    let slices: Vec<&[u8]> = modules.iter().map(Vec::as_slice).collect();
    let decode = starstream_bench::best_of(std::time::Duration::from_millis(300), || {
        starstream_proof::code::Code::new(&slices).expect("the modules decode");
    });
    let present = starstream_proof::present(&envelope.log_heights);
    let kept_airs = starstream_proof::kept(
        starstream_proof::airs(&tables.code, &tables.records),
        &present,
    );
    let heights = starstream_proof::kept(envelope.log_heights.iter().copied(), &present);
    let prepare = starstream_bench::best_of(std::time::Duration::from_millis(300), || {
        BatchStark { fri: envelope.fri }
            .prepare(&kept_airs, &heights)
            .expect("the tables' shapes");
    });

    println!(
        "token transfer: {} bytes in all; proven in {:.0} ms, verified in {:.1} ms (best of several)",
        encoded.len(),
        prove.as_secs_f64() * 1e3,
        verify.as_secs_f64() * 1e3
    );
    println!(
        "of verifying: decoding the program table {:.1} ms ({:.0}%), preparing the backend {:.1} ms ({:.0}%)",
        decode.as_secs_f64() * 1e3,
        100.0 * decode.as_secs_f64() / verify.as_secs_f64(),
        prepare.as_secs_f64() * 1e3,
        100.0 * prepare.as_secs_f64() / verify.as_secs_f64()
    );
    println!("{:<14} {:>6} {:>7} {:>7}", "table", "width", "rows", "used");
    let mut width = 0;
    // The tables the proof holds (an optional table that is all padding is left out):
    // `present`, above.
    for (i, table) in TABLES.iter().enumerate() {
        let trace = &tables.traces[i];
        if !present[i] {
            println!("{:<14} left out (all padding)", format!("{table:?}"));
            continue;
        }
        width += trace.width;
        // Rows that are not all zeros (padding is, in most tables).
        let used = trace
            .values
            .chunks(trace.width)
            .filter(|row| {
                row.iter()
                    .any(|v| *v != p3_field::PrimeCharacteristicRing::ZERO)
            })
            .count();
        println!(
            "{:<14} {:>6} {:>7} {:>7}",
            format!("{table:?}"),
            trace.width,
            trace.values.len() / trace.width,
            used,
        );
    }
    println!("{:<14} {:>6}", "all tables", width);
    // The batch's instances: the tables of one height side by side (`starstream_proof::group`).
    println!();
    println!(
        "{:<8} {:>6} {:>7} {:>10} {:>9} {:>9}  tables",
        "instance", "width", "rows", "ood bytes", "lookups", "quotient"
    );
    let kept_tables = starstream_proof::kept(TABLES.iter(), &present);
    let layout = starstream_proof::group::Layout::of(&heights);
    for (g, members) in layout.members.iter().enumerate() {
        let opened = &proof.opened_values.instances[g];
        let names: Vec<String> = members
            .iter()
            .map(|&i| format!("{:?}", kept_tables[i]))
            .collect();
        let group_width: usize = members
            .iter()
            .map(|&i| starstream_proof::kept(tables.traces.iter(), &present)[i].width)
            .sum();
        println!(
            "{:<8} {:>6} {:>7} {:>10} {:>9} {:>9}  {}",
            g,
            group_width,
            1usize << layout.log_heights[g],
            size(opened),
            opened.permutation_local.len(),
            opened.base_opened_values.quotient_chunks.len(),
            names.join(", "),
        );
    }

    let (random, fri) = &proof.opening_proof;
    let mut parts: Vec<(String, usize)> = vec![
        (
            "envelope outside the proof".into(),
            encoded.len() - envelope.proof.len(),
        ),
        ("commitments".into(), size(&proof.commitments)),
        ("out-of-domain openings".into(), size(&proof.opened_values)),
        ("random polynomials' openings".into(), size(random)),
        ("lookup terminals".into(), size(&proof.lookup_terminals)),
        (
            "FRI commit-phase roots".into(),
            size(&fri.commit_phase_commits),
        ),
        ("FRI final polynomial".into(), size(&fri.final_poly)),
    ];
    // The batches in the order the verifier opens them (a preprocessed batch, before the
    // permutation's, only when some table has preprocessed columns: none has since format 45).
    let names = ["random", "main", "quotient", "permutation"];
    for (i, batch) in fri.input_openings.iter().enumerate() {
        let name = names.get(i).copied().unwrap_or("batch");
        let per_query: usize = batch
            .opened_values
            .first()
            .map_or(0, |q| q.iter().map(|m| m.len()).sum());
        parts.push((
            format!("queries: {name} rows ({per_query} values each)"),
            size(&batch.opened_values),
        ));
        parts.push((
            format!("queries: {name} salts"),
            size(&batch.opening_proof.0),
        ));
        parts.push((
            format!("queries: {name} Merkle paths"),
            size(&batch.opening_proof.1),
        ));
    }
    let (mut siblings, mut salts, mut paths) = (0, 0, 0);
    for round in &fri.commit_phase_openings {
        siblings += size(&round.sibling_values);
        salts += size(&round.opening_proof.0);
        paths += size(&round.opening_proof.1);
    }
    parts.push((
        format!(
            "FRI folding ({} rounds): siblings",
            fri.commit_phase_openings.len()
        ),
        siblings,
    ));
    parts.push(("FRI folding: salts".into(), salts));
    parts.push(("FRI folding: Merkle paths".into(), paths));
    let counted: usize = parts.iter().map(|(_, n)| n).sum();
    parts.push((
        "other (lengths, proof of work)".into(),
        encoded.len() - counted,
    ));
    println!();
    for (name, bytes) in parts {
        println!(
            "{:<44} {:>8} bytes {:>5.1}%",
            name,
            bytes,
            bytes as f64 * 100.0 / encoded.len() as f64
        );
    }
}
