// JS side of bench/dtdl: parse and resolve a whole DTDL model set (by
// default RealEstateCore, 767 files) with the parsers published on npm, warm,
// and print the medians.
//
//   official  @digicatapult/dtdl-parser: Microsoft's .NET DTDLParser compiled
//             to WebAssembly. Its parse() takes one JSON text (here the
//             array of all documents, as the package's parseDirectories()
//             builds it) and returns the resolved object model serialised as
//             JSON; the timing covers that call, not the JSON.parse() of its
//             result.
//   azure     @azure/dtdl-parser: the older TypeScript port. The timing covers
//             createParser() and `await parse(texts)` (one text per file).
//
// Both get the same texts: each file read as UTF-8 with its byte-order mark
// removed (neither accepts a BOM inside the text it is given; libtwin gets
// the bytes as they are). Reading and stripping are done once, untimed.
// Each parser must return every Interface of the set (one per file), and the
// contents of dtmi:digitaltwins:rec_3_3:core:Room;1, which declares none
// and extends Space, must be Space's (inherited contents resolved), or the
// parser is reported as failed; a parser that throws is reported as failed
// with its error. No figure is printed for a failed parser.
//
// Usage: node bench_dtdl.mjs DIR [RUNS [WARMUP]]   (defaults 15 and 3)
// Prints lines "js: KEY VALUE...", among them "js: NAME MEDIAN_MS" for each
// parser that passed (NAME official or azure), "js: NAME_failed REASON" for
// one that did not. Exit status 0 unless DIR holds no .json file or a
// package cannot be loaded at all.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ROOM = 'dtmi:digitaltwins:rec_3_3:core:Room;1';
const SPACE = 'dtmi:digitaltwins:rec_3_3:core:Space;1';

function usage(msg) {
    console.error(`bench_dtdl.mjs: ${msg}\nusage: node bench_dtdl.mjs DIR [RUNS [WARMUP]]`);
    process.exit(2);
}

const [dir, runsArg, warmArg] = process.argv.slice(2);
if (!dir) usage('no directory given');
const runs = runsArg ? Number.parseInt(runsArg, 10) : 15;
const warmup = warmArg ? Number.parseInt(warmArg, 10) : 3;
if (!(runs > 0) || !(warmup >= 0)) usage('RUNS must be > 0 and WARMUP >= 0');

function jsonFiles(d) {
    const out = [];
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) out.push(...jsonFiles(p));
        else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
    }
    return out.sort();
}

const files = jsonFiles(dir);
if (files.length === 0) {
    console.error(`bench_dtdl.mjs: no .json file under ${dir}`);
    process.exit(1);
}
let bytes = 0, boms = 0;
const texts = files.map((f) => {
    const b = fs.readFileSync(f);
    bytes += b.length;
    let t = b.toString('utf8');
    if (t.charCodeAt(0) === 0xfeff) {
        boms++;
        t = t.slice(1);
    }
    return t;
});

function pkgVersion(name) {
    // The packages' "exports" hide package.json: look in node_modules.
    for (const base of require.resolve.paths(name) ?? []) {
        const p = path.join(base, name, 'package.json');
        if (fs.existsSync(p)) return JSON.parse(fs.readFileSync(p, 'utf8')).version;
    }
    return 'unknown';
}

function stats(v) {
    const s = [...v].sort((a, b) => a - b);
    const n = s.length;
    const med = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return { med, min: s[0], max: s[n - 1] };
}

function oneLine(e) {
    const m = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
    return m.replace(/\s+/g, ' ').slice(0, 300);
}

// Time fn (async or not) warmup + runs times; check(result) on the first
// and last results returns null when they are right, else why not.
async function measure(name, fn, check) {
    const samples = [];
    try {
        for (let i = 0; i < warmup + runs; i++) {
            const t0 = performance.now();
            const r = await fn();
            const dt = performance.now() - t0;
            if (i === 0) {
                const why = check(r);
                if (why) return { name, failed: why };
            }
            if (i >= warmup) samples.push(dt);
            if (i === warmup + runs - 1 && i > 0) {
                const why = check(r);
                if (why) return { name, failed: `last run: ${why}` };
            }
        }
    } catch (e) {
        return { name, failed: oneLine(e) };
    }
    return { name, ...stats(samples) };
}

// Interfaces and the contents of Room and Space, from each parser's model.
function checkModel(ifaces, roomContents, spaceContents) {
    if (ifaces !== files.length)
        return `${ifaces} interfaces parsed, expected ${files.length} (one per file)`;
    if (!roomContents || !spaceContents) return `${ROOM} or ${SPACE} missing`;
    const a = [...roomContents].sort().join(','), b = [...spaceContents].sort().join(',');
    if (a !== b || roomContents.length === 0)
        return `${ROOM} has ${roomContents.length} contents, ${SPACE} ${spaceContents.length}: extends not resolved`;
    return null;
}

const results = [];
console.log(`js: node ${process.version}`);
console.log(`js: files ${files.length} bytes ${bytes} boms ${boms}`);
console.log(`js: runs ${runs} warmup ${warmup}`);

// ---- official: @digicatapult/dtdl-parser ----
{
    const name = 'official';
    let mod;
    try {
        mod = await import('@digicatapult/dtdl-parser');
    } catch (e) {
        console.log(`js: official_failed cannot load @digicatapult/dtdl-parser: ${oneLine(e)}`);
    }
    if (mod) {
        const t0 = performance.now();
        const parser = await mod.getInterop();
        const startMs = performance.now() - t0;
        console.log(`js: official_package @digicatapult/dtdl-parser ${pkgVersion('@digicatapult/dtdl-parser')}`);
        console.log(`js: official_parser ${parser.parserVersion().split(',').slice(0, 2).join('').replace(' Version=', ' ')}`);
        console.log(`js: official_startup_ms ${startMs.toFixed(1)}`);
        const input = `[${texts.join(',')}]`;
        let interfaces = 0;
        const r = await measure(name, () => parser.parse(input), (out) => {
            const om = JSON.parse(out);
            if (om && typeof om === 'object' && 'ExceptionKind' in om)
                return `${om.ExceptionKind} exception: ${oneLine(JSON.stringify(om.Errors ?? om))}`;
            const v = Object.values(om);
            interfaces = v.filter((x) => x.EntityKind === 'Interface').length;
            const c = (id) => (om[id] && om[id].contents ? Object.keys(om[id].contents) : null);
            return checkModel(interfaces, c(ROOM), c(SPACE));
        });
        if (!r.failed) console.log(`js: official_interfaces ${interfaces}`);
        results.push(r);
    }
}

// ---- azure: @azure/dtdl-parser ----
{
    const name = 'azure';
    let mod;
    try {
        mod = require('@azure/dtdl-parser');
    } catch (e) {
        console.log(`js: azure_failed cannot load @azure/dtdl-parser: ${oneLine(e)}`);
    }
    if (mod) {
        console.log(`js: azure_package @azure/dtdl-parser ${pkgVersion('@azure/dtdl-parser')}`);
        let interfaces = 0;
        const r = await measure(name, async () => {
            const p = mod.createParser(mod.ModelParsingOption.None);
            return await p.parse(texts);
        }, (md) => {
            const v = Object.values(md);
            interfaces = v.filter((x) => x.entityKind === 'interface').length;
            const c = (id) => (md[id] && md[id].contents ? Object.keys(md[id].contents) : null);
            return checkModel(interfaces, c(ROOM), c(SPACE));
        });
        if (!r.failed) console.log(`js: azure_interfaces ${interfaces}`);
        results.push(r);
    }
}

for (const r of results) {
    if (r.failed) {
        console.log(`js: ${r.name}_failed ${r.failed}`);
    } else {
        console.log(`js: ${r.name} ${r.med.toFixed(2)}`);
        console.log(`js: ${r.name}_min ${r.min.toFixed(2)}`);
        console.log(`js: ${r.name}_max ${r.max.toFixed(2)}`);
    }
}
console.log(`js: rss_mb ${(process.memoryUsage().rss / 1048576).toFixed(1)}`);
