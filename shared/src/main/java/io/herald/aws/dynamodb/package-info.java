/** DynamoDB adapters for the store ports, and the schema they need (see docs/architecture.md). */
package io.herald.aws.dynamodb;
