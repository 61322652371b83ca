/**
 * Text models: the held-out split of the fortune corpus the shipped text models are measured on,
 * and the bits-per-character evaluation of a polynomial model against its softmax teacher
 * ({@code polyhe models eval} for text models).
 */
package io.polyhe.models.text;
