/** Routing rules: which topics a publication without explicit topics goes to. */
package io.herald.core.routing;
