/** SQS through one signed call: the chat's delayed tasks. */
package io.herald.aws.sqs;
