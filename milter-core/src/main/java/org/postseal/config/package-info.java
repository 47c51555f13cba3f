/**
 * The configuration file (TOML): loading it into immutable records, validating every key at once with
 * file, line and what is allowed, and the built-in defaults. Nothing here opens sockets or reads keys.
 */
package org.postseal.config;
