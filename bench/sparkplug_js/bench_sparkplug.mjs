// JS side of bench/sparkplug: Eclipse Tahu's JavaScript payload decoder
// (npm sparkplug-payload 1.0.3, protobufjs underneath) on the payload file
// bench_sparkplug wrote (a DDATA of 100 Double metrics by alias), warm:
// decodePayload() of the whole payload, then a read of every metric's value
// and alias, as the C side does. Prints "js: KEY VALUE" lines: the median
// metrics per second over RUNS runs of about SECONDS each.
//
// Usage: node bench_sparkplug.mjs PAYLOAD [RUNS [SECONDS]]  (defaults 7, 0.3)
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [file, runsArg, secsArg] = process.argv.slice(2);
if (!file) {
    console.error('usage: node bench_sparkplug.mjs PAYLOAD [RUNS [SECONDS]]');
    process.exit(2);
}
const runs = runsArg ? Number.parseInt(runsArg, 10) : 7;
const secs = secsArg ? Number.parseFloat(secsArg) : 0.3;
const tahu = require('sparkplug-payload').get('spBv1.0');
const bytes = new Uint8Array(fs.readFileSync(file));

function decodeOnce() {
    const p = tahu.decodePayload(bytes);
    let sum = 0;
    for (const m of p.metrics) sum += m.value + Number(m.alias);
    return [p.metrics.length, sum];
}

const [count, expect] = decodeOnce();
if (count !== 100) {
    console.error(`bench_sparkplug.mjs: ${count} metrics decoded, 100 expected`);
    process.exit(1);
}
for (let i = 0; i < 2000; i++) decodeOnce();  // warm up the JIT
const rates = [];
for (let r = 0; r < runs; r++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    let t;
    do {
        for (let k = 0; k < 64; k++) {
            const [, s] = decodeOnce();
            if (Math.abs(s - expect) > 1e-6 * Math.abs(expect)) {
                console.error('bench_sparkplug.mjs: values differ between decodes');
                process.exit(1);
            }
        }
        n += 64;
        t = process.hrtime.bigint();
    } while (Number(t - t0) / 1e9 < secs);
    rates.push((n * count) / (Number(t - t0) / 1e9));
}
rates.sort((a, b) => a - b);
const med = runs % 2 ? rates[(runs - 1) / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2;
console.log(`js: tahu_metrics_per_s ${med.toFixed(0)}`);
console.log(`js: tahu_sum ${expect.toPrecision(17)}`);
console.log(`js: package sparkplug-payload ${require('sparkplug-payload/package.json').version}`);
