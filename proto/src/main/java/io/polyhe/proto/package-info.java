/** Generated protocol buffer code of the public {@code polyhe.v1} API (arrives with the service issue). */
package io.polyhe.proto;
