// The verifier in WebAssembly, from Node.js: the golden proof (made natively) verifies with
// its module and is refused without it or with a byte edited; a signed transaction proven
// natively by `starstream run --prove --out` verifies with the modules `starstream build`
// wrote, and is refused edited. Prints the time of each verification.
//
// Usage: node verify.cjs PKG_DIR GOLDEN_DIR [SIGNED_TX MODULES_DIR]
//   PKG_DIR: what `wasm-bindgen --target nodejs` wrote for starstream_verifier_js.wasm.

const fs = require("fs");
const path = require("path");
const assert = require("assert");

const [pkg, goldenDir, signedPath, modulesDir] = process.argv.slice(2);
if (!pkg || !goldenDir) {
  console.error("usage: node verify.cjs PKG_DIR GOLDEN_DIR [SIGNED_TX MODULES_DIR]");
  process.exit(2);
}
const { Verifier } = require(path.resolve(pkg, "starstream_verifier_js.js"));

function timed(what, f) {
  const started = process.hrtime.bigint();
  const out = f();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${what}: ${ms.toFixed(1)} ms`);
  return out;
}

function refused(f, code) {
  assert.throws(f, (e) => e instanceof Error && e.message.includes(code), `expected ${code}`);
}

// The golden proof.
const tx = fs.readFileSync(path.join(goldenDir, "counter-create.tx"));
const proof = fs.readFileSync(path.join(goldenDir, "counter-create.proof"));
const modules = fs.readdirSync(goldenDir).filter((f) => f.endsWith(".wasm"));
const empty = new Verifier();
refused(() => empty.verify(tx, proof), "error[proof:module]");
const v = new Verifier();
for (const m of modules) {
  v.addModule(fs.readFileSync(path.join(goldenDir, m)));
}
const about = JSON.parse(timed("golden proof, verified in WebAssembly", () => v.verify(tx, proof)));
assert.strictEqual(about.valid, true);
const edited = Buffer.from(proof);
edited[edited.length >> 1] ^= 1;
refused(() => v.verify(tx, edited), "error[proof:");
refused(() => v.verify(Buffer.from("garbage"), proof), "error[ledger:decode]");

// A transaction proven natively by the command-line tool.
if (signedPath) {
  const signed = fs.readFileSync(signedPath);
  const w = new Verifier();
  for (const m of fs.readdirSync(modulesDir).filter((f) => f.endsWith(".wasm"))) {
    w.addModule(fs.readFileSync(path.join(modulesDir, m)));
  }
  const ok = JSON.parse(timed("native proof, verified in WebAssembly", () => w.verifySigned(signed)));
  assert.strictEqual(ok.valid, true);
  const bad = Buffer.from(signed);
  bad[bad.length - 1000] ^= 0x10;
  refused(() => w.verifySigned(bad), "error[");
}
console.log("the WebAssembly verifier agrees");
