/** Persistence ports. Adapters: io.herald.aws.dynamodb; in-memory versions live in the test tree. */
package io.herald.core.store;
