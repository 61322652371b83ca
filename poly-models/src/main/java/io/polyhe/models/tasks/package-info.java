/**
 * The shipped tasks (sort, reverse, count), their held-out test set, and the evaluation that
 * compares the softmax baseline, power-softmax exact and power-softmax poly-plain.
 */
package io.polyhe.models.tasks;
