// Preloaded into a CLI child process (NODE_OPTIONS=--import=<this file>) by tests that must interrupt it at an
// exact point: on the first message on the diagnostics channel HOLD_CHANNEL, it writes the message to the file
// HOLD_MARKER and then blocks the process (at most HOLD_SECONDS, default 30) so the test can kill it right there.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const channel = process.env.HOLD_CHANNEL;
const marker = process.env.HOLD_MARKER;
if (channel && marker) {
  let held = false;
  subscribe(channel, (message) => {
    if (held) return;
    held = true;
    writeFileSync(marker, JSON.stringify(message));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.HOLD_SECONDS ?? 30) * 1000);
  });
}
