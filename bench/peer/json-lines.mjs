// What both SEAL peers (seal-peer.mjs, seal-wire.mjs) share: the JSON-lines loop they speak to the
// Java side, and the description of a thrown value, SEAL's WebAssembly exceptions included.
import readline from 'node:readline';

/** A thrown value as one line of text: an Error's message, or SEAL's own message for its exceptions. */
export function describe(e, seal) {
  if (e instanceof Error) return e.message || String(e);
  if (typeof WebAssembly.Exception === 'function' && e instanceof WebAssembly.Exception
      && seal && typeof seal.getExceptionMessage === 'function') {
    try {
      return seal.getExceptionMessage(e).filter(Boolean).join(': ');
    } catch {
      // fall through
    }
  }
  return String(e);
}

/**
 * Reads one JSON object per stdin line (a line that is not one gets an error reply), writes
 * `handle(request)`'s reply as one JSON line (waiting for the
 * pipe to drain), stops when `handle` returns null or stdin ends, then tears down and exits 0.
 */
export async function serveJsonLines(handle, teardown) {
  const reply = (obj) => new Promise((resolve) => {
    if (process.stdout.write(`${JSON.stringify(obj)}\n`)) resolve();
    else process.stdout.once('drain', resolve);
  });
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of input) {
    if (line.trim() === '') continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch {
      await reply({ ok: false, error: 'request is not JSON' });
      continue;
    }
    if (req === null || typeof req !== 'object') {
      await reply({ ok: false, error: 'request must be a JSON object' });
      continue;
    }
    const out = handle(req);
    if (out === null) break;
    await reply(out);
  }
  teardown();
  input.close();
  process.exit(0);
}
