// Keccak-256 (Ethereum's, padding 0x01, not SHA3-256's 0x06), which node:crypto does not offer.
// Only used for EIP-55 checksums of the fake's deposit addresses, so plain bigint lanes are fast enough.

const MASK = (1n << 64n) - 1n;
const RATE_BYTES = 136;
const ROUND_CONSTANTS = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];
const ROTATIONS = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44];
const PI_LANES = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1];

export function keccak256(data: Uint8Array): Uint8Array {
  const state: bigint[] = new Array<bigint>(25).fill(0n);
  const padded = new Uint8Array((Math.floor(data.length / RATE_BYTES) + 1) * RATE_BYTES);
  padded.set(data);
  padded[data.length] = 0x01;
  padded[padded.length - 1] = (padded[padded.length - 1] ?? 0) | 0x80;
  for (let offset = 0; offset < padded.length; offset += RATE_BYTES) {
    for (let lane = 0; lane < RATE_BYTES / 8; lane++) {
      state[lane] = lane64(state, lane) ^ readLane(padded, offset + lane * 8);
    }
    permute(state);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((lane64(state, i >> 3) >> BigInt((i & 7) * 8)) & 0xffn);
  return out;
}

function permute(state: bigint[]): void {
  const columns: bigint[] = new Array<bigint>(5).fill(0n);
  for (const constant of ROUND_CONSTANTS) {
    for (let x = 0; x < 5; x++) {
      columns[x] =
        lane64(state, x) ^
        lane64(state, x + 5) ^
        lane64(state, x + 10) ^
        lane64(state, x + 15) ^
        lane64(state, x + 20);
    }
    for (let x = 0; x < 5; x++) {
      const t = lane64(columns, (x + 4) % 5) ^ rotl(lane64(columns, (x + 1) % 5), 1);
      for (let y = 0; y < 25; y += 5) state[y + x] = lane64(state, y + x) ^ t;
    }
    let carried = lane64(state, 1);
    for (let i = 0; i < 24; i++) {
      const j = PI_LANES[i] ?? 0;
      const next = lane64(state, j);
      state[j] = rotl(carried, ROTATIONS[i] ?? 0);
      carried = next;
    }
    for (let y = 0; y < 25; y += 5) {
      const row = [0, 1, 2, 3, 4].map((x) => lane64(state, y + x));
      for (let x = 0; x < 5; x++) {
        state[y + x] = (row[x] ?? 0n) ^ (~(row[(x + 1) % 5] ?? 0n) & MASK & (row[(x + 2) % 5] ?? 0n));
      }
    }
    state[0] = lane64(state, 0) ^ constant;
  }
}

function lane64(lanes: readonly bigint[], index: number): bigint {
  return lanes[index] ?? 0n;
}

function rotl(value: bigint, shift: number): bigint {
  const s = BigInt(shift);
  return ((value << s) | (value >> (64n - s))) & MASK;
}

function readLane(bytes: Uint8Array, offset: number): bigint {
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}
