// Benchmark of the prover in WebAssembly, single-threaded, in Node.js: the token transfer's
// prove and verify times and proof size, and growing `spin` transactions of the bench contract
// (crates/bench/contracts/loop.star), each next to the baseline run in the same process: the
// same transaction executed by the same WebAssembly build without proving (the tracing
// interpreter's own speed there).
//
// Usage (after building both packages as .ci/run does, and the contracts):
//   starstream build examples crates/bench/contracts -o target/bench-modules
//   node crates/prover-js/bench/prove.cjs target/prover-js target/verifier-js target/bench-modules

const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const [proverPkg, verifierPkg, modulesDir] = process.argv.slice(2);
if (!modulesDir) {
  console.error("usage: node prove.cjs PROVER_PKG VERIFIER_PKG MODULES_DIR");
  process.exit(2);
}
const { Prover } = require(path.resolve(proverPkg, "starstream_prover_js.js"));
const { Verifier } = require(path.resolve(verifierPkg, "starstream_verifier_js.js"));

// Seconds one call of `f` takes, and its result.
function time(f) {
  const started = process.hrtime.bigint();
  const result = f();
  return [Number(process.hrtime.bigint() - started) / 1e9, result];
}

// The best of repeated runs, for the fast baseline: at least 20 runs or 0.5 s.
function best(f) {
  let min = Infinity;
  const until = Date.now() + 500;
  for (let i = 0; i < 20 || Date.now() < until; i++) {
    min = Math.min(min, time(f)[0]);
  }
  return min;
}

const prover = new Prover();
const verifier = new Verifier();
for (const name of ["wallet.wasm", "loop.wasm"]) {
  const module = fs.readFileSync(path.join(modulesDir, name));
  prover.addModule(module);
  verifier.addModule(module);
}
const alice = prover.addKey(crypto.randomBytes(32));
const bob = prover.addKey(crypto.randomBytes(32));
const ask = (script, args, signers = []) => JSON.stringify({ script, args, signers });

function measure(name, request) {
  const preview = JSON.parse(prover.execute(request));
  const run = best(() => prover.execute(request));
  const [prove, signed] = time(() => prover.run(request));
  const [verify] = time(() => verifier.verifySigned(signed));
  const n = preview.instructions;
  console.log(
    `${name.padEnd(26)} | ${String(n).padStart(6)} | ${prove.toFixed(2).padStart(6)} s | ` +
      `${(verify * 1e3).toFixed(0).padStart(4)} ms | ${String(signed.length >> 10).padStart(5)} KB | ` +
      `${(run * 1e6).toFixed(0).padStart(7)} µs | ${(n / prove).toFixed(0).padStart(8)} | ` +
      `${(n / run / 1e6).toFixed(1).padStart(7)} M | ${(prove / run).toExponential(2)}`,
  );
  return signed;
}

console.log("the prover in WebAssembly, single-threaded (Node.js), next to the same build executing without proving:");
console.log(
  "transaction                | instrs |  prove   | verify |  proof   | execute   | proven/s | run/s   | prove / execute",
);
const issued = prover.run(ask("issue", ["1000", `0x${alice}`, `0x${alice}`], [alice]));
const purse = JSON.parse(prover.apply(issued)).outputs[0];
measure("pay 300 coins with change", ask("pay", [`utxo:${purse}`, `0x${bob}`, "300"], [alice]));
// `spin n` sized like the native bench's rows: about 3,600, 14,700 and 59,000 instructions.
const per = JSON.parse(prover.execute(ask("spin", ["2"]))).instructions -
  JSON.parse(prover.execute(ask("spin", ["1"]))).instructions;
for (const target of (process.env.SPIN || "3636,14661").split(",").map(Number)) {
  const n = Math.floor(target / per);
  measure(`spin ${n}`, ask("spin", [String(n)]));
}
