/** Reading settings from a function's environment: one reader, one clear error per bad value. */
package io.herald.core.config;
