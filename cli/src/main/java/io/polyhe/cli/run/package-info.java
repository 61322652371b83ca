/** {@code polyhe run}: encrypted generation in one process, compared with the poly-plain pass. */
package io.polyhe.cli.run;
