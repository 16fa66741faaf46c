// Interoperability of libtwin-mqtt's payloads with Eclipse Tahu's
// JavaScript codec (npm sparkplug-payload 1.0.3), both ways:
//   1. a payload with a metric of every scalar type, encoded by libtwin
//      (sp_interop encode), decoded by Tahu: every value as written;
//   2. the same metrics encoded by Tahu, decoded by libtwin
//      (sp_interop decode): every value as written;
//   3. libtwin's Edge Node payloads (sp_interop edge): NBIRTH, DBIRTH and
//      DDATA as Tahu reads them.
// Usage: node tahu_interop.mjs SP_INTEROP WORKDIR   Exit status 0 or 1.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Long = require('long');
const tahu = require('sparkplug-payload').get('spBv1.0');
const [tool, work] = process.argv.slice(2);
let failures = 0;
function check(ok, what) {
    if (!ok) {
        console.error(`FAIL: ${what}`);
        failures++;
    }
}

const BYTES = Uint8Array.from([0x00, 0x01, 0xfe, 0xff]);
// name (= Tahu type), value for Tahu's encoder, the text libtwin prints.
const TABLE = [
    ['Int8', -5, '-5'],
    ['Int16', -30000, '-30000'],
    ['Int32', -2147483648, '-2147483648'],
    ['Int64', Long.fromString('-9223372036854775808'), '-9223372036854775808'],
    ['UInt8', 250, '250'],
    ['UInt16', 52360, '52360'],
    ['UInt32', 123456789, '123456789'],
    ['UInt64', Long.fromString('18446744073709551615', true), '18446744073709551615'],
    ['Float', 1.5, '1.5'],
    ['Double', -1 / 3, '-0.33333333333333331'],
    ['Boolean', true, 'true'],
    ['String', 'h\u00e9llo', 'h\u00e9llo'],
    ['DateTime', 1656107875000, '1656107875000'],
    ['Text', 'some text', 'some text'],
    ['UUID', '0c3a8e4b-1a2b-4c5d-8e9f-0123456789ab', '0c3a8e4b-1a2b-4c5d-8e9f-0123456789ab'],
    ['Bytes', BYTES, '0001feff'],
];
const text = (v) => v instanceof Uint8Array ? Buffer.from(v).toString('hex')
    : Long.isLong(v) ? v.toString() : String(v);

// 1. libtwin -> Tahu
const ours = path.join(work, 'ours.bin');
execFileSync(tool, ['encode', ours]);
const p1 = tahu.decodePayload(new Uint8Array(fs.readFileSync(ours)));
check(text(p1.seq) === '17', `seq ${text(p1.seq)}`);
const byName = new Map(p1.metrics.map((m) => [m.name, m]));
for (const [name, value] of TABLE) {
    const m = byName.get(name);
    check(m !== undefined, `${name}: missing in Tahu's decode`);
    if (!m) continue;
    check(m.type === name, `${name}: Tahu type ${m.type}`);
    check(text(m.value) === text(value), `${name}: Tahu read ${text(m.value)}, libtwin wrote ${text(value)}`);
}
check(byName.get('Null') && byName.get('Null').value === null, 'Null: not null for Tahu');
const dbl = byName.get('Double');
check(dbl && dbl.properties && dbl.properties.engUnit &&
      dbl.properties.engUnit.value === 'degreeCelsius', 'Double: engUnit property');

// 2. Tahu -> libtwin
const metrics = TABLE.map(([name, value]) => ({ name, type: name, value, timestamp: 1486144502122 }));
metrics.push({ name: 'Null', type: 'Double', value: null, timestamp: 1486144502122 });
metrics[9].properties = { engUnit: { type: 'String', value: 'degreeCelsius' } };
const theirs = path.join(work, 'tahu.bin');
fs.writeFileSync(theirs, tahu.encodePayload({ timestamp: 1486144502122, seq: 18, metrics }));
const lines = execFileSync(tool, ['decode', theirs], { encoding: 'utf8' }).trim().split('\n');
check(lines[0] === 'seq 18', `libtwin read ${lines[0]}`);
const got = new Map();
for (const l of lines.slice(1)) {
    const m = /^(\S+) (\d+) (.*)$/.exec(l);
    if (m) got.set(m[1], m[3]);
}
for (const [name, , want] of TABLE)
    check(got.get(name) === want, `${name}: libtwin read ${got.get(name)}, Tahu wrote ${want}`);
check(got.get('Null') === 'null', `Null: libtwin read ${got.get('Null')}`);
check(lines.includes('prop Double engUnit degreeCelsius'), 'Double: libtwin did not read engUnit');

// 3. libtwin's Edge Node, read by Tahu
execFileSync(tool, ['edge', work]);
const nb = tahu.decodePayload(new Uint8Array(fs.readFileSync(path.join(work, 'nbirth.bin'))));
check(text(nb.seq) === '0', 'NBIRTH seq');
const nbm = new Map(nb.metrics.map((m) => [m.name, m]));
check(nbm.get('bdSeq') && nbm.get('bdSeq').type === 'Int64' && text(nbm.get('bdSeq').value) === '0',
      'NBIRTH bdSeq');
check(nbm.get('Node Control/Rebirth') && nbm.get('Node Control/Rebirth').value === false &&
      nbm.get('Node Control/Rebirth').alias === undefined, 'NBIRTH Node Control/Rebirth');
const db = tahu.decodePayload(new Uint8Array(fs.readFileSync(path.join(work, 'dbirth.bin'))));
check(text(db.seq) === '1', 'DBIRTH seq');
const t = db.metrics[0];
check(t && t.name === 'temp' && t.type === 'Double' && t.value === 21.5, 'DBIRTH temp');
check(t && t.properties && t.properties.engUnit.value === 'degreeCelsius', 'DBIRTH engUnit');
const dd = tahu.decodePayload(new Uint8Array(fs.readFileSync(path.join(work, 'ddata.bin'))));
check(text(dd.seq) === '2', 'DDATA seq');
check(dd.metrics.length === 1 && text(dd.metrics[0].alias) === text(t.alias) &&
      text(dd.metrics[0].timestamp) === '1700000001000', 'DDATA alias and timestamp');
// DDATA carries no datatype (specification: SHOULD NOT); Tahu's stateless
// decoder then gives no value (it reads values by datatype only).
check(dd.metrics[0].value === null || dd.metrics[0].value === undefined,
      `DDATA value without datatype: Tahu gave ${dd.metrics[0].value}`);

if (failures) {
    console.error(`tahu_interop: ${failures} failure(s)`);
    process.exit(1);
}
console.log(`tahu_interop: ok (${TABLE.length} scalar types both ways, the edge's NBIRTH, DBIRTH and DDATA)`);
