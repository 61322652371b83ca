/** Authentication: bearer API keys (digests only) and the caller every session is bound to. */
package io.polyhe.server.auth;
