// Times the WebAssembly verifier in node on one proof (bench/results/wasm.md):
//   node bench/wasm_verify.mjs BUILD/web MODEL.vk PROOF.zkp [INPUT.npy|-] [RUNS]
// prints the first verification's time (compiling tiers included) and the
// minimum and median of RUNS more, as measured by zkinfer-verify.js (the
// time inside zkw_verify: parsing the key and the proof, the input, verifying).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [webDir, vkPath, proofPath, inputPath = '-', runsArg = '10'] = process.argv.slice(2);
if (!webDir || !vkPath || !proofPath) {
  console.error('usage: node bench/wasm_verify.mjs BUILD/web MODEL.vk PROOF.zkp [INPUT.npy|-] [RUNS]');
  process.exit(2);
}
const { loadVerifier } = await import(pathToFileURL(resolve(webDir, 'zkinfer-verify.js')));
const verifier = await loadVerifier(pathToFileURL(resolve(join(webDir, 'zkinfer_verify.wasm'))));
const vk = readFileSync(vkPath), proof = readFileSync(proofPath);
const input = inputPath === '-' ? null : readFileSync(inputPath);
const first = verifier.verify(vk, proof, input);
if (!first.ok) {
  console.error(`rejected: ${first.error}`);
  process.exit(1);
}
const ms = [];
for (let k = 0; k < Number(runsArg); k++) ms.push(verifier.verify(vk, proof, input).ms);
ms.sort((a, b) => a - b);
console.log(`proof ${proof.length} bytes: first ${first.ms.toFixed(1)} ms, min ${ms[0].toFixed(1)} ms, ` +
            `median ${ms[ms.length >> 1].toFixed(1)} ms over ${ms.length} runs (node ${process.versions.node})`);
