/**
 * Sessions: evaluation keys uploaded by a caller, stored on disk atomically (fsync, then rename)
 * with a checksum verified at start, bounded in number (in all and per caller) and by the disk's
 * free space, swept when expired, and cached in memory, so a restart keeps them. Only public keys are
 * ever stored.
 */
package io.polyhe.server.session;
