/**
 * Several server replicas behind one channel: sessions stay on the replica whose cache holds their
 * keys, and a pass whose replica died is retried on the next one.
 *
 * <ul>
 *   <li>{@link io.polyhe.client.routing.SessionAffinity}: the call-metadata header that carries a
 *       session's affinity key, set from the calling thread's gRPC context.
 *   <li>{@link io.polyhe.client.routing.ReplicaChannels}: a channel over several addresses (or a
 *       DNS name with several records, such as a Kubernetes headless Service) balanced by gRPC's
 *       {@code ring_hash_experimental} policy on that header.
 *   <li>{@link io.polyhe.client.routing.Failover}: bounded retries of calls that failed because a
 *       replica was unreachable, with the reason a retry is safe for each kind of call; retries
 *       carry their attempt number in a header, so servers can count them.
 * </ul>
 *
 * These classes wrap {@link io.polyhe.client.PolyheClient} calls; they change nothing in it.
 */
package io.polyhe.client.routing;
