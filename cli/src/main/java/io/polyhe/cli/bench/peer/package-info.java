/**
 * The SEAL peer of {@code polyhe bench ckks --peer node-seal}: {@link
 * io.polyhe.cli.bench.peer.SealPeer} installs ({@code npm ci}), starts and drives the long-lived
 * Node.js process in {@code bench/peer/} that runs the same CKKS operations on Microsoft SEAL 4.1
 * (node-seal 7, WebAssembly), so that one bench run can alternate polyhe and SEAL op by op.
 *
 * <p>The wire protocol (JSON lines on the peer's stdin/stdout) is described in {@code
 * bench/peer/README.md}; nothing outside this package speaks it.
 */
package io.polyhe.cli.bench.peer;
