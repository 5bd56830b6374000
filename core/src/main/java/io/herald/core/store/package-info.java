/** Persistence ports. Adapters: io.herald.aws.dynamodb (module herald-shared); in-memory versions live in its test tree. */
package io.herald.core.store;
