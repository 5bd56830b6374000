/** Who may read and publish which topics: configuration, not code. */
package io.herald.core.policy;
