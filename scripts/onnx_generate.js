// Continues a prefix greedily with a language model that gru export wrote as ONNX,
// in ONNX Runtime for Node.js: the example of docs/export.md, and what gogru's tests
// compare with gru generate.
//
//   npm install onnxruntime-node
//   node scripts/onnx_generate.js model.onnx "time traveller" 100
//
// The vocabulary and configuration are in the model's metadata_props (ModelProto
// field 14); onnxruntime-node does not expose them, so they are read from the file.
const fs = require('fs');
const ort = require('onnxruntime-node');

// fields lists the length-delimited fields of the protobuf message in buf[start, end).
function fields(buf, start, end) {
  const out = [];
  let i = start;
  const varint = () => {
    let v = 0, s = 1, b;
    do { b = buf[i++]; v += (b & 127) * s; s *= 128; } while (b >= 128);
    return v;
  };
  while (i < end) {
    const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) { const len = varint(); out.push({field, start: i, end: i + len}); i += len; }
    else throw new Error(`unexpected protobuf wire type ${wire}`);
  }
  return out;
}

// metadata returns a .onnx file's metadata_props as an object.
function metadata(path) {
  const buf = fs.readFileSync(path);
  const meta = {};
  for (const f of fields(buf, 0, buf.length).filter((f) => f.field === 14)) {
    const kv = {};
    for (const g of fields(buf, f.start, f.end)) kv[g.field] = buf.toString('utf8', g.start, g.end);
    meta[kv[1]] = kv[2] ?? '';
  }
  return meta;
}

async function main() {
  const [model, prefix = 'time traveller', n = '50'] = process.argv.slice(2);
  const meta = metadata(model);
  const vocab = JSON.parse(meta.vocab), cfg = JSON.parse(meta.config);
  const V = vocab.length, H = cfg.hidden_size, cells = cfg.num_layers * (cfg.bidirectional ? 2 : 1);
  const index = new Map(vocab.map((t, i) => [t, i]));
  // Token 0 is gogru's unknown token: unknown characters are dropped, and never produced.
  const ids = [...prefix].map((c) => index.get(c) ?? 0).filter((id) => id !== 0);
  if (ids.length === 0) throw new Error('no character of the prefix is in the vocabulary');
  const session = await ort.InferenceSession.create(model);
  const run = (tokens, h0) => session.run({
    tokens: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [tokens.length, 1]), // [T, B=1]
    h0,
  });
  // The whole prefix in one call, from a zero state; then one token per call, the
  // state carried in hn → h0.
  let r = await run(ids, new ort.Tensor('float32', new Float32Array(cells * H), [cells, 1, H]));
  let text = ids.map((id) => vocab[id]).join('');
  for (let k = 0; k < Number(n); k++) {
    const logits = r.logits.data.subarray(r.logits.data.length - V); // the last step's
    let best = 1;
    for (let v = 2; v < V; v++) if (logits[v] > logits[best]) best = v;
    text += vocab[best];
    if (k < Number(n) - 1) r = await run([best], r.hn);
  }
  console.log(text);
}

main().catch((e) => { console.error(e.message); process.exit(1); });
