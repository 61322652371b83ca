/** The {@code polyhe models} command: list and evaluate the shipped polynomial models. */
package io.polyhe.cli.models;
