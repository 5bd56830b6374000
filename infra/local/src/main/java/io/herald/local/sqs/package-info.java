/**
 * SQS on the local stack: standard queues in memory ({@link io.herald.local.sqs.SqsQueue}), the
 * SQS JSON protocol the AWS SDKs speak ({@link io.herald.local.sqs.SqsEndpoint}), and Lambda's SQS
 * event source mapping ({@link io.herald.local.sqs.SqsEventSource}). Self-contained: it knows
 * nothing of the template, which {@code io.herald.local.template.SqsResources} reads.
 */
package io.herald.local.sqs;
