/** Threads for background work, shared by the core, the adapters and the local stack. */
package io.herald.core.concurrent;
