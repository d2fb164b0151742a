// The WebAssembly verifier (build/web/zkinfer_verify.wasm through
// web/zkinfer-verify.js) against the C verifier (`zkinfer verify`) on proofs
// made natively for several bundled models: both accept the honest proofs
// with the same output values (public and private input), and both reject
// mutated proofs, a wrong input and a proof checked against another model's
// key. A pinned key digest: the right one verifies, another is rejected.
// Inputs that are not bytes (a string) throw, naming their type.
//
// Usage: node tests/test_wasm_verify.mjs BUILD_DIR SOURCE_DIR
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [buildDir, srcDir] = process.argv.slice(2);
if (!buildDir || !srcDir) {
  console.error('usage: node tests/test_wasm_verify.mjs BUILD_DIR SOURCE_DIR');
  process.exit(2);
}
const zkinfer = join(buildDir, 'zkinfer');
const data = join(srcDir, 'tests', 'data');
const { loadVerifier } = await import(pathToFileURL(join(buildDir, 'web', 'zkinfer-verify.js')));
const verifier = await loadVerifier(pathToFileURL(join(buildDir, 'web', 'zkinfer_verify.wasm')));

let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else {
    failed++;
    console.error(`CHECK failed: ${what}`);
  }
}

const work = mkdtempSync(join(tmpdir(), 'zki-wasm-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(args) {
  return execFileSync(zkinfer, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// `zkinfer verify`: { ok, values (the printed output values), text }
function cliVerify(vk, proof, input) {
  const args = ['verify', vk, '--proof', proof];
  if (input) args.push('--input', input);
  const r = spawnSync(zkinfer, args, { encoding: 'utf8' });
  const values = [];
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^verified sample \d+: .*?output(?: map of \d+ values)?((?: \S+)*)$/);
    if (m) values.push(...m[1].trim().split(/\s+/).filter((s) => s !== '...').map(Number));
  }
  return { ok: r.status === 0, values, text: r.stdout + r.stderr };
}

// The data section of a float32 .npy with every value moved by delta: an
// input the proof was not made for.
function shiftedNpy(bytes, delta) {
  const out = Uint8Array.from(bytes);
  const major = out[6];
  const hl = major === 1 ? out[8] | (out[9] << 8) : out[8] | (out[9] << 8) | (out[10] << 16) | (out[11] << 24);
  const off = (major === 1 ? 10 : 12) + hl;
  const header = new TextDecoder().decode(out.subarray(0, off));
  if (!header.includes("'<f4'")) throw new Error('shiftedNpy: a float32 .npy is expected');
  const dv = new DataView(out.buffer, off);
  for (let k = 0; 4 * k < out.length - off; k++) dv.setFloat32(4 * k, dv.getFloat32(4 * k, true) + delta, true);
  return out;
}

function sameValues(cli, wasm, what) {
  const n = cli.length;
  let same = n > 0 && wasm && wasm.length >= n;
  for (let k = 0; same && k < n; k++) {
    const tol = 1e-4 * Math.max(1, Math.abs(cli[k])); // the CLI prints %.5g
    if (Math.abs(cli[k] - wasm[k]) > tol) same = false;
  }
  check(same, `${what}: outputs differ: cli [${cli.join(', ')}] wasm [${wasm ? Array.from(wasm).slice(0, n) : ''}]`);
}

const models = [
  { name: 'fmnist_mlp', calib: 'fmnist_calib.npy', x: 'fmnist_sample.npy' },
  { name: 'fmnist_cnn', calib: 'fmnist_calib.npy', x: 'fmnist_sample.npy' },
  { name: 'bmm_attn', calib: 'bmm_attn_calib.npy', x: 'bmm_attn_x.npy' },
  { name: 'lut_mix', calib: 'lut_mix_calib.npy', x: 'lut_mix_x.npy' },
  { name: 'norm_ln', calib: 'norm_ln_calib.npy', x: 'norm_ln_x.npy' },
];

const keys = {};
for (const m of models) {
  const zkm = join(work, `${m.name}.zkm`);
  run(['compile', join(data, `${m.name}.onnx`), '--calib', join(data, m.calib), '-o', zkm]);
  const vk = join(work, `${m.name}.vk`);
  const x = join(data, m.x);
  const proof = join(work, `${m.name}.zkp`);
  run(['prove', zkm, '--input', x, '-o', proof, '--quiet']);
  const vkBytes = readFileSync(vk), proofBytes = readFileSync(proof), xBytes = readFileSync(x);
  keys[m.name] = { vk, vkBytes, proofBytes, xBytes };

  // honest proof, public input
  const cli = cliVerify(vk, proof, x);
  const w = verifier.verify(vkBytes, proofBytes, xBytes);
  check(cli.ok, `${m.name}: zkinfer verify rejects the honest proof: ${cli.text}`);
  check(w.ok, `${m.name}: wasm rejects the honest proof: ${w.error}`);
  sameValues(cli.values, w.output, m.name);
  console.log(`${m.name}: proof ${proofBytes.length} bytes, wasm verify ${w.ms.toFixed(1)} ms, ok=${w.ok}`);

  // mutated proofs: a byte flipped near the start, the middle and the end
  for (const at of [64, proofBytes.length >> 1, proofBytes.length - 9]) {
    const bad = Uint8Array.from(proofBytes);
    bad[at] ^= 0x01;
    const badPath = join(work, `${m.name}.bad.zkp`);
    writeFileSync(badPath, bad);
    const c = cliVerify(vk, badPath, x);
    const r = verifier.verify(vkBytes, bad, xBytes);
    check(!c.ok, `${m.name}: zkinfer verify accepts a proof with byte ${at} flipped`);
    check(!r.ok, `${m.name}: wasm accepts a proof with byte ${at} flipped`);
    check(r.error.length > 0, `${m.name}: wasm rejects byte ${at} flipped without a reason`);
  }

  // a wrong input
  const wrong = shiftedNpy(xBytes, 0.5);
  const wrongPath = join(work, `${m.name}.wrong.npy`);
  writeFileSync(wrongPath, wrong);
  check(!cliVerify(vk, proof, wrongPath).ok, `${m.name}: zkinfer verify accepts a wrong input`);
  const rw = verifier.verify(vkBytes, proofBytes, wrong);
  check(!rw.ok && rw.status === 3, `${m.name}: wasm accepts a wrong input (status ${rw.status}: ${rw.error})`);
}

// a private-input proof: no input passed; an input passed is refused
{
  const m = models[1];
  const zkm = join(work, `${m.name}.zkm`), vk = join(work, `${m.name}.vk`);
  const proof = join(work, `${m.name}.private.zkp`);
  run(['prove', zkm, '--input', join(data, m.x), '-o', proof, '--private-input', '--quiet']);
  const proofBytes = readFileSync(proof), vkBytes = readFileSync(vk);
  const cli = cliVerify(vk, proof, null);
  const w = verifier.verify(vkBytes, proofBytes, null);
  check(cli.ok, `private input: zkinfer verify rejects: ${cli.text}`);
  check(w.ok && w.privateInput, `private input: wasm rejects: ${w.error}`);
  sameValues(cli.values, w.output, 'private input');
  const bad = Uint8Array.from(proofBytes);
  bad[bad.length >> 1] ^= 0x80;
  check(!verifier.verify(vkBytes, bad, null).ok, 'private input: wasm accepts a mutated proof');
  check(!verifier.verify(vkBytes, proofBytes, readFileSync(join(data, m.x))).ok,
        'private input: wasm accepts the proof with an input passed');
}

// a proof checked against another model's key
{
  const a = keys.fmnist_mlp, b = keys.fmnist_cnn;
  const r = verifier.verify(b.vkBytes, a.proofBytes, a.xBytes);
  check(!r.ok, 'wasm accepts the MLP proof under the CNN key');
  check(!cliVerify(join(work, 'fmnist_cnn.vk'), join(work, 'fmnist_mlp.zkp'), join(data, 'fmnist_sample.npy')).ok,
        'zkinfer verify accepts the MLP proof under the CNN key');
}

// garbage where a key is expected
check(!verifier.verify(new Uint8Array(100), keys.fmnist_mlp.proofBytes, keys.fmnist_mlp.xBytes).ok,
      'wasm accepts 100 zero bytes as a key');

// a pinned key digest (demo.html's &vk=, index.html's box): the key's
// SHA-256 (zki_vk_digest hashes the key's bytes as written, so a .vk file's
// sha256 is its digest, the one GET /v1/models lists)
{
  const m = keys.fmnist_mlp;
  const digest = createHash('sha256').update(m.vkBytes).digest('hex');
  const honest = verifier.verify(m.vkBytes, m.proofBytes, m.xBytes);
  check(honest.vkDigest === digest, `wasm's key digest ${honest.vkDigest} is not the key file's sha256 ${digest}`);
  const pinned = verifier.verify(m.vkBytes, m.proofBytes, m.xBytes, { vkDigest: digest.toUpperCase() });
  check(pinned.ok && pinned.output, `the key under its own pinned digest is rejected: ${pinned.error}`);
  const other = keys.fmnist_cnn.vkBytes; // the server sends another model's key, with its own honest proof
  const swapped = verifier.verify(other, keys.fmnist_cnn.proofBytes, keys.fmnist_cnn.xBytes, { vkDigest: digest });
  check(!swapped.ok && swapped.status === 3 && swapped.output === null && swapped.error.includes(digest) &&
        swapped.error.includes('pinned'), `another key under a pinned digest: ok=${swapped.ok} ${swapped.error}`);
  const garbage = verifier.verify(new Uint8Array(100), m.proofBytes, m.xBytes, { vkDigest: digest });
  check(!garbage.ok && garbage.vkDigest === null && garbage.error.includes('pinned'),
        `an unparsable key under a pinned digest: ${garbage.error}`);
  let threw = '';
  try { verifier.verify(m.vkBytes, m.proofBytes, m.xBytes, { vkDigest: 'abc' }); } catch (e) { threw = e.message; }
  check(threw.includes('64 hex digits'), `a pin that is not a digest: '${threw}'`);
}

// bytes only: a string input was read as "no input" (a private-input proof)
for (const [args, what] of [[['m.vk', 'proof', null], 'the verification key'],
                            [[null, 'proof', null], 'the proof'],
                            [[null, null, 'x.npy'], 'the input .npy'],
                            [[null, null, [1, 2, 3]], 'the input .npy']]) {
  const m = keys.fmnist_mlp;
  const a = [args[0] ?? m.vkBytes, args[1] ?? m.proofBytes, args[2]];
  let threw = null;
  try { verifier.verify(...a); } catch (e) { threw = e; }
  const type = typeof args[2] === 'string' || typeof args[0] === 'string' || typeof args[1] === 'string'
    ? 'a string' : 'an Array';
  check(threw instanceof TypeError && threw.message.includes(what) && threw.message.includes(`not ${type}`),
        `${what} given ${type}: ${threw ? threw.message : 'no error'}`);
}
check(verifier.verify(keys.fmnist_mlp.vkBytes, keys.fmnist_mlp.proofBytes,
                      keys.fmnist_mlp.xBytes.buffer.slice(keys.fmnist_mlp.xBytes.byteOffset,
                                                          keys.fmnist_mlp.xBytes.byteOffset +
                                                          keys.fmnist_mlp.xBytes.length)).ok,
      'an ArrayBuffer input is refused');

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
