/** SQS through signed JSON-protocol calls, no SQS SDK module: the chat's delayed tasks and the tree fan-out's task queue. */
package io.herald.aws.sqs;
