import { randomFillSync } from 'node:crypto';

const POOL = 4096;
const pool = Buffer.alloc(POOL);
let offset = POOL;
let lastMs = -1;
let counter = 0;

function randomBytes(n: number): Buffer {
  if (offset + n > POOL) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter (started at a random value each
 * millisecond, so ids from one process sort in the order they were made), then 62 random bits. Ids that sort by
 * time are appended at the end of an index instead of at random places in it: the tables keyed by them (the lists
 * served, their impressions) stay as fast to write at a billion rows as at a thousand.
 */
export function uuidV7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff; // the top bit left clear: room to count up within the millisecond
  } else if (++counter > 0xfff) {
    // 2 048+ ids in one millisecond (or the clock went back): borrow the next millisecond, keeping the order.
    lastMs++;
    counter = 0;
  }
  const random = randomBytes(8);
  const hex = lastMs.toString(16).padStart(12, '0');
  const a = (0x7000 | counter).toString(16);
  const b = ((random.readUInt16BE(0) & 0x3fff) | 0x8000).toString(16);
  const tail = random.toString('hex', 2, 8);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${a}-${b}-${tail}`;
}
