/** Tests of the resident pass engine. */
package io.polyhe.cli.resident;
