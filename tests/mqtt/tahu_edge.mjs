// A live Sparkplug B Edge Node made with Eclipse Tahu's JavaScript client
// (npm sparkplug-client 3.2.4), driven line by line from stdin by
// tests/mqtt/test_sp_tahu_edge.c, whose libtwin-mqtt host mirrors it:
//   birth        NBIRTH (node metrics) and the DBIRTHs of pump1 and tank2
//   data T       DDATA of pump1 (by alias and by name) and of tank2, at T ms
//   ddeath DEV   DDEATH of device DEV
//   stop         NDEATH (Tahu's publishDeath) and disconnect
// It prints "ready" once connected and "ok CMD" after each command.
// Usage: node tahu_edge.mjs PORT
import readline from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Long = require('long');
const sparkplug = require('sparkplug-client');
const port = process.argv[2];

const client = sparkplug.newClient({
    serverUrl: `tcp://127.0.0.1:${port}`,
    username: '',
    password: '',
    groupId: 'plant',
    edgeNode: 'tahu1',
    clientId: `tahu-edge-${process.pid}`,
    version: 'spBv1.0',
    publishDeath: true,
});

let ready = false;
client.on('birth', () => {
    if (!ready) {
        ready = true;
        console.log('ready');
    }
});
client.on('error', (e) => {
    console.error(`tahu_edge: ${e}`);
    process.exit(1);
});
client.on('ncmd', (p) => console.error(`tahu_edge: NCMD ${JSON.stringify(p.metrics)}`));

const engUnit = (u) => ({ engUnit: { type: 'String', value: u } });

function birth() {
    const now = Date.now();
    client.publishNodeBirth({
        timestamp: now,
        metrics: [
            { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
            { name: 'Properties/Firmware', type: 'String', value: 'tahu-3.2.4' },
        ],
    });
    client.publishDeviceBirth('pump1', {
        timestamp: now,
        metrics: [
            { name: 'temp', alias: 1, type: 'Double', value: 21.5, properties: engUnit('degreeCelsius') },
            { name: 'speed', alias: 2, type: 'Float', value: 1450.5 },
            { name: 'count', alias: 3, type: 'Int32', value: -7 },
            { name: 'total', alias: 4, type: 'UInt64', value: Long.fromString('123456789012', true) },
            { name: 'level', alias: 5, type: 'Int16', value: 300 },
            { name: 'running', alias: 6, type: 'Boolean', value: true },
            { name: 'mode', alias: 7, type: 'String', value: 'auto' },
            { name: 'started', alias: 8, type: 'DateTime', value: 1700000000000 },
        ],
    });
    client.publishDeviceBirth('tank2', {
        timestamp: now,
        metrics: [{ name: 'fill', type: 'UInt8', value: 42 }],
    });
}

function data(t) {
    // DDATA: pump1 by alias (Tahu still writes each metric's datatype) and
    // by name; tank2 by name
    client.publishDeviceData('pump1', {
        timestamp: t,
        metrics: [
            { alias: 1, type: 'Double', value: 22.75, timestamp: t },
            { alias: 2, type: 'Float', value: 1500.25, timestamp: t },
            { name: 'count', type: 'Int32', value: 8, timestamp: t },
            { alias: 6, type: 'Boolean', value: false, timestamp: t },
            { name: 'mode', type: 'String', value: 'manual', timestamp: t },
        ],
    });
    client.publishDeviceData('tank2', {
        timestamp: t,
        metrics: [{ name: 'fill', type: 'UInt8', value: 200, timestamp: t }],
    });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd === 'birth') birth();
    else if (cmd === 'data') data(Number(arg));
    else if (cmd === 'ddeath') client.publishDeviceDeath(arg, { timestamp: Date.now() });
    else if (cmd === 'stop') {
        client.stop();
        console.log('ok stop');
        return;
    } else {
        console.error(`tahu_edge: unknown command ${line}`);
        process.exit(1);
    }
    console.log(`ok ${cmd}`);
});
rl.on('close', () => process.exit(0));
