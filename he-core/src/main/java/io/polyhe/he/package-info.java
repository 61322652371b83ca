/**
 * polyhe's RNS-CKKS engine. Packages form a one-way ladder, bottom to top:
 * {@code math} → {@code backend} → {@code ring} → {@code rlwe} → {@code ckks} → {@code circuits},
 * with {@code io} (the binary format) on top.
 */
package io.polyhe.he;
