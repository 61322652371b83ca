/**
 * Sessions: evaluation keys uploaded by a caller, stored on disk atomically with a checksum and
 * cached in memory, so a restart keeps them. Only public keys are ever stored.
 */
package io.polyhe.server.session;
