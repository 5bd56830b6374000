/** API Gateway Management API adapter for the notifier port. */
package io.herald.aws.apigateway;
