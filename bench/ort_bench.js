// Times ONNX Runtime's CPU engine on a model: node bench/ort_bench.js MODEL THREADS LOOPS WARMUP
// Prints one JSON line {median_ms, mean_ms, min_ms}. Inputs are seeded pseudo-random floats in [0, 1).
// onnxruntime-node must be resolvable (NODE_PATH or a node_modules folder); see bench/README.md.
const ort = require('onnxruntime-node');

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (1664525 * s + 1013904223) >>> 0) / 4294967296);
}

async function main() {
  const [model, threads, loops, warmup] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const rand = lcg(1234);
  const feeds = {};
  for (const name of session.inputNames) {
    // The bench models have static shapes; read them from the model metadata via a dry Tensor.
    const dims = JSON.parse(process.env.ORT_BENCH_SHAPE || 'null');
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rand();
    feeds[name] = new ort.Tensor('float32', data, dims);
  }
  for (let i = 0; i < Number(warmup); i++) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < Number(loops); i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  console.log(JSON.stringify({median_ms: ms[Math.floor(ms.length / 2)], mean_ms: mean, min_ms: ms[0]}));
}

main().catch((e) => { console.error(e); process.exit(1); });
