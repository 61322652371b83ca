/**
 * What every model file reader shares: the checked {@link io.polyhe.models.format.ModelFormatException}
 * for malformed input and strict, typed access to JSON objects.
 */
package io.polyhe.models.format;
