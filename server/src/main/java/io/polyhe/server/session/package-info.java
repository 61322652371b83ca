/**
 * Sessions: evaluation keys uploaded by a caller, bound to that caller, swept when expired, and
 * kept across restarts. Only public keys are ever stored. One concern per class:
 *
 * <ul>
 *   <li>{@link io.polyhe.server.session.SessionStore}: the records of live sessions, the caller
 *       check, expiry and uploads; it puts the parts below together.
 *   <li>{@link io.polyhe.server.session.KeyStore}: key files and their descriptions, published
 *       whole or not at all and checksummed; {@link io.polyhe.server.session.DiskKeyStore} keeps
 *       them in a directory (fsync, then rename), {@link io.polyhe.server.session.S3KeyStore} in
 *       an S3 bucket shared by replicas (parts, then the description; {@link
 *       io.polyhe.server.session.S3Settings} says where, {@code S3Failures} what a failure means).
 *   <li>{@link io.polyhe.server.session.SessionQuota}: session places in all and per caller, and
 *       the key store's room promised to uploads in progress.
 *   <li>{@code KeyCache}: the parsed keys of the most recently used sessions, loaded with no lock
 *       held.
 * </ul>
 *
 * Failures are this package's {@link io.polyhe.server.session.SessionException}s, which the
 * service layer maps to statuses: nothing here depends on the services, gRPC or the protos (an
 * architecture test enforces it), so a store can be tested, and replaced, on its own.
 */
package io.polyhe.server.session;
