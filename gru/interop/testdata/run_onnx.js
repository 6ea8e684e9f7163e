// Runs ONNX models in ONNX Runtime (npm onnxruntime-node) for gru/interop's tests.
// Usage: node run_onnx.js JOBS.json  (NODE_PATH must reach onnxruntime-node)
// JOBS.json is a list of {model, T, B, tokens: [T·B ids], h0: [cells·B·H], hidden: H};
// stdout is a JSON list of {logits, hn, dims: {logits, hn}, inputs, metadata}, one per job.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const out = [];
  for (const job of jobs) {
    const session = await ort.InferenceSession.create(job.model);
    const feeds = {tokens: new ort.Tensor('int64', BigInt64Array.from(job.tokens.map(BigInt)), [job.T, job.B])};
    const cells = job.h0.length / (job.B * job.hidden);
    feeds.h0 = new ort.Tensor('float32', Float32Array.from(job.h0), [cells, job.B, job.hidden]);
    const r = await session.run(feeds);
    out.push({
      logits: Array.from(r.logits.data), hn: Array.from(r.hn.data),
      dims: {logits: r.logits.dims, hn: r.hn.dims}, inputs: session.inputNames,
    });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
