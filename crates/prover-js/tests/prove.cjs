// The prover in WebAssembly, from Node.js: a wallet issues 1,000 coins to alice and pays bob
// 300 of them, each transaction executed, proven and signed in WebAssembly; the WebAssembly
// verifier accepts the transfer, the prover learns only what verifies and applies, and bad
// requests are refused with their code. Writes the proven transfer to OUT so that
// `starstream verify` checks it natively. Prints the time of each step.
//
// Usage: node prove.cjs PROVER_PKG VERIFIER_PKG WALLET_WASM OUT
//   PROVER_PKG, VERIFIER_PKG: what `wasm-bindgen --target nodejs` wrote for
//   starstream_prover_js.wasm and starstream_verifier_js.wasm.

const fs = require("fs");
const path = require("path");
const assert = require("assert");
const crypto = require("crypto");

const [proverPkg, verifierPkg, walletPath, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node prove.cjs PROVER_PKG VERIFIER_PKG WALLET_WASM OUT");
  process.exit(2);
}
const { Prover } = require(path.resolve(proverPkg, "starstream_prover_js.js"));
const { Verifier } = require(path.resolve(verifierPkg, "starstream_verifier_js.js"));

function timed(what, f) {
  const started = process.hrtime.bigint();
  const result = f();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${what}: ${ms.toFixed(0)} ms`);
  return result;
}

function refused(f, code) {
  assert.throws(f, (e) => e instanceof Error && e.message.startsWith(`error[${code}`), `expected error[${code}`);
}

const wallet = fs.readFileSync(walletPath);
const prover = new Prover();
prover.addModule(wallet);
const alice = prover.addKey(crypto.randomBytes(32));
const bob = prover.addKey(crypto.randomBytes(32));
const request = (script, args) => JSON.stringify({ script, args, signers: [alice] });

const issued = timed("issue, proven in WebAssembly", () =>
  prover.run(request("issue", ["1000", `0x${alice}`, `0x${alice}`])),
);
const purse = JSON.parse(timed("issue, verified and learned", () => prover.apply(issued))).outputs[0];
const paid = timed("token transfer, proven in WebAssembly", () =>
  prover.run(request("pay", [`utxo:${purse}`, `0x${bob}`, "300"])),
);
console.log(`token transfer, signed and proven: ${paid.length} bytes`);

const verifier = new Verifier();
verifier.addModule(wallet);
const about = JSON.parse(timed("token transfer, verified in WebAssembly", () => verifier.verifySigned(paid)));
assert.strictEqual(about.valid, true);
assert.deepStrictEqual(about.inputs, [purse]);

// Learned once; then the purse is spent, here as on a ledger.
assert.strictEqual(JSON.parse(prover.apply(paid)).outputs.length, 2);
refused(() => prover.apply(paid), "ledger");
refused(() => prover.run(request("pay", [`utxo:${purse}`, `0x${bob}`, "1"])), "ledger");
refused(() => prover.apply(Buffer.from("garbage")), "ledger:decode");
refused(() => prover.run("{"), "request");
refused(() => prover.run(request("nothing", [])), "request");
refused(() => prover.addKey(Buffer.alloc(3)), "request");

fs.writeFileSync(out, paid);
console.log(`the WebAssembly prover agrees; the transfer is in ${out}`);
