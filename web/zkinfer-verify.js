// zkinfer's verifier in WebAssembly (docs/wasm.md), as an ES module for the
// browser and for node:
//
//   import { verify } from '/web/zkinfer-verify.js';
//   const r = await verify(vkBytes, proofBytes, inputNpyBytes, { vkDigest });
//   // r = { ok, status, output: Float32Array | null, batch, perSample,
//   //       privateInput, privateOutput, vkDigest, ms, error }
//
// The bytes: Uint8Array or ArrayBuffer. inputNpyBytes: the .npy the proof
// was made for (float32 for a float model), or null / undefined for a
// proof made with --private-input. ok is true only for a proof the
// verifier accepted; error then is ''. ms is the time of the parse and the
// verification inside the wasm. r.vkDigest is the key's SHA-256 digest in
// hex (zki_vk_digest's, the one `GET /v1/models` lists), null when the key
// did not parse. options.vkDigest pins it: a key with another digest is
// rejected, whatever the proof (a server that serves the key is otherwise
// trusted to serve the right one).
//
// The module needs a few WASI imports, given by the small shim below (no
// files, no clock or randomness is read by the verifier; stderr goes to
// console.warn).

const WASI_ESUCCESS = 0;
const WASI_EBADF = 8;
const WASI_ENOSYS = 52;

class WasiExit extends Error {
  constructor(code) {
    super(`zkinfer_verify.wasm called proc_exit(${code})`);
    this.code = code;
  }
}

// The imports of wasi_snapshot_preview1 the verifier links (see
// docs/wasm.md); `memory` is a getter, since the instance is made after
// the imports.
function wasiShim(memory) {
  const view = () => new DataView(memory().buffer);
  const bytes = () => new Uint8Array(memory().buffer);
  const decoder = new TextDecoder();
  const pending = { 1: '', 2: '' };
  const flushLines = (fd) => {
    let nl;
    while ((nl = pending[fd].indexOf('\n')) >= 0) {
      const line = pending[fd].slice(0, nl);
      pending[fd] = pending[fd].slice(nl + 1);
      (fd === 2 ? console.warn : console.log)(`zkinfer_verify.wasm: ${line}`);
    }
  };
  return {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return WASI_EBADF;
      const dv = view();
      let total = 0;
      for (let k = 0; k < iovsLen; k++) {
        const ptr = dv.getUint32(iovs + 8 * k, true);
        const len = dv.getUint32(iovs + 8 * k + 4, true);
        pending[fd] += decoder.decode(bytes().subarray(ptr, ptr + len));
        total += len;
      }
      flushLines(fd);
      dv.setUint32(nwrittenPtr, total, true);
      return WASI_ESUCCESS;
    },
    // stdio asks what kind of file 1 and 2 are: a character device
    fd_fdstat_get(fd, statPtr) {
      if (fd > 2) return WASI_EBADF;
      const dv = view();
      dv.setUint8(statPtr, 2); // filetype: character device
      dv.setUint16(statPtr + 2, 0, true);
      dv.setBigUint64(statPtr + 8, 0xffffffffffffffffn, true);
      dv.setBigUint64(statPtr + 16, 0xffffffffffffffffn, true);
      return WASI_ESUCCESS;
    },
    fd_close: () => WASI_EBADF,
    fd_seek: () => WASI_EBADF,
    fd_pread: () => WASI_EBADF,
    fd_read: () => WASI_EBADF,
    environ_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return WASI_ESUCCESS;
    },
    environ_get: () => WASI_ESUCCESS,
    args_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return WASI_ESUCCESS;
    },
    args_get: () => WASI_ESUCCESS,
    clock_time_get(clockId, precision, timePtr) {
      const ns = BigInt(Math.round((globalThis.performance ? performance.timeOrigin + performance.now()
                                                           : Date.now()) * 1e6));
      view().setBigUint64(timePtr, ns, true);
      return WASI_ESUCCESS;
    },
    random_get(ptr, len) {
      const out = bytes().subarray(ptr, ptr + len);
      for (let o = 0; o < len; o += 65536) globalThis.crypto.getRandomValues(out.subarray(o, Math.min(len, o + 65536)));
      return WASI_ESUCCESS;
    },
    proc_exit(code) {
      throw new WasiExit(code);
    },
  };
}

function isNode() {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

async function wasmBytesFrom(source) {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  const url = source instanceof URL ? source : new URL(source, import.meta.url);
  if (url.protocol === 'file:' && isNode()) {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`zkinfer-verify: fetching ${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// The shim's functions for each import of module; an import it lacks is
// named here rather than failing later.
function importsFor(module, shim) {
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1' || !(imp.name in shim))
      throw new Error(`zkinfer-verify: the wasm imports ${imp.module}.${imp.name}, which the WASI shim lacks`);
    (imports[imp.module] ||= {})[imp.name] = shim[imp.name];
  }
  return imports;
}

function verifierOf(module, instantiate) {
  let instance = null;
  const shim = wasiShim(() => instance.exports.memory);
  const made = instantiate(module, importsFor(module, shim));
  const finish = (inst) => {
    instance = inst;
    instance.exports._initialize();
    return new Verifier(instance.exports);
  };
  return made instanceof Promise ? made.then(finish) : finish(made);
}

// Instantiates the module; source: its bytes or its URL (by default
// zkinfer_verify.wasm beside this file).
export async function loadVerifier(source = new URL('./zkinfer_verify.wasm', import.meta.url)) {
  const module = await WebAssembly.compile(await wasmBytesFrom(source));
  return verifierOf(module, (m, imports) => WebAssembly.instantiate(m, imports));
}

// The same from the module's bytes, compiled and instantiated synchronously
// (browsers allow that off the main thread, or on it up to a size limit;
// headless tests use it so that nothing runs outside the page's own tasks).
export function verifierFromBytes(bytes) {
  const module = new WebAssembly.Module(bytes);
  return verifierOf(module, (m, imports) => new WebAssembly.Instance(m, imports));
}

const STATUS_NAMES = ['ok', 'bad input', 'out of memory', 'proof rejected', 'i/o error', 'unsupported'];
const STATUS_REJECTED = 3;

// 'a string', 'an Array', 'a Float32Array': what a caller passed, for errors
function typeName(v) {
  if (v === null) return 'null';
  const t = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
  return `${/^[aeiou]/i.test(t) ? 'an' : 'a'} ${t}`;
}

// A pinned key digest: 64 hex digits (as GET /v1/models lists it), any case.
function pinnedDigest(d) {
  if (typeof d !== 'string' || !/^[0-9a-fA-F]{64}$/.test(d.trim()))
    throw new TypeError(`zkinfer-verify: options.vkDigest must be the key's SHA-256 digest, 64 hex digits ` +
                        `(as GET /v1/models lists it), not ${typeof d === 'string' ? `'${d}'` : typeName(d)}`);
  return d.trim().toLowerCase();
}

export class Verifier {
  constructor(exports) {
    this.x = exports;
  }

  // Copies bytes into a fresh wasm buffer; returns its address (0 for none).
  // Only bytes are taken: new Uint8Array('...') would quietly make an empty
  // buffer of a string, and an empty input means "a private-input proof".
  #put(data, what) {
    if (data == null) return [0, 0];
    if (!(data instanceof Uint8Array || data instanceof ArrayBuffer))
      throw new TypeError(`zkinfer-verify: ${what} must be a Uint8Array or an ArrayBuffer (the file's bytes), ` +
                          `not ${typeName(data)}`);
    if (data.byteLength === 0) return [0, 0];
    const src = data instanceof Uint8Array ? data : new Uint8Array(data);
    const ptr = this.x.zkw_alloc(src.length);
    if (!ptr) throw new Error(`zkinfer-verify: no wasm memory for ${src.length} bytes`);
    new Uint8Array(this.x.memory.buffer, ptr, src.length).set(src);
    return [ptr, src.length];
  }

  #cString(ptr) {
    const mem = new Uint8Array(this.x.memory.buffer);
    let end = ptr;
    while (mem[end] !== 0) end++;
    return new TextDecoder().decode(mem.subarray(ptr, end));
  }

  #vkDigest() {
    const ptr = this.x.zkw_vk_digest();
    if (!ptr) return null;
    return Array.from(new Uint8Array(this.x.memory.buffer, ptr, 32), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  verify(vkBytes, proofBytes, inputNpyBytes, options = {}) {
    const pinned = options.vkDigest == null ? null : pinnedDigest(options.vkDigest);
    const held = [];
    try {
      const [vk, vkLen] = this.#put(vkBytes, 'the verification key');
      held.push(vk);
      const [pf, pfLen] = this.#put(proofBytes, 'the proof');
      held.push(pf);
      const [x, xLen] = this.#put(inputNpyBytes, 'the input .npy');
      held.push(x);
      const t0 = performance.now();
      const status = this.x.zkw_verify(vk, vkLen, pf, pfLen, x, xLen);
      const ms = performance.now() - t0;
      const batch = this.x.zkw_output_batch(), perSample = this.x.zkw_output_per_sample();
      const outPtr = this.x.zkw_output();
      const vkDigest = this.#vkDigest();
      // a key other than the pinned one proves nothing about the model meant
      const wrongKey = pinned !== null && vkDigest !== pinned;
      const st = wrongKey ? STATUS_REJECTED : status;
      const output = st === 0 && outPtr
        ? new Float32Array(this.x.memory.buffer.slice(outPtr, outPtr + 4 * batch * perSample))
        : null;
      return {
        ok: st === 0,
        status: st,
        statusName: STATUS_NAMES[st] ?? `status ${st}`,
        output,
        batch: st === 0 ? batch : 0,
        perSample: st === 0 ? perSample : 0,
        privateInput: !!this.x.zkw_private_input(),
        privateOutput: st === 0 && !!this.x.zkw_private_output(),
        vkDigest,
        ms,
        error: !wrongKey ? this.#cString(this.x.zkw_error())
          : vkDigest === null ? `the verification key does not parse, so it is not the pinned ${pinned}`
          : `the verification key's digest ${vkDigest} is not the pinned ${pinned}: the server sent another key`,
      };
    } finally {
      for (const p of held) if (p) this.x.zkw_free(p);
    }
  }
}

let defaultVerifier = null;

// verify(vkBytes, proofBytes, inputNpyBytes, options) with the module
// beside this file, instantiated at the first call.
export async function verify(vkBytes, proofBytes, inputNpyBytes, options = {}) {
  if (!defaultVerifier) defaultVerifier = loadVerifier();
  return (await defaultVerifier).verify(vkBytes, proofBytes, inputNpyBytes, options);
}

// A float32 .npy (format 1.0) of values with the given shape, for inputs
// made in the page (a drawing, zeros).
export function float32Npy(values, shape) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 4 * values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  const data = new DataView(out.buffer, 10 + header.length);
  for (let k = 0; k < values.length; k++) data.setFloat32(4 * k, values[k], true);
  return out;
}
