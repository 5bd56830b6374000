/** SQS behind the tree fan-out's task queue port: signed JSON-protocol calls, no SQS SDK module. */
package io.herald.aws.sqs;
