/** SigV4-signed HTTP calls through the SDK's signer and HTTP client, for APIs too small to need an SDK module. */
package io.herald.aws.http;
