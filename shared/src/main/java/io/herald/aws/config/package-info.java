/** Building AWS clients and reading secrets from a function's environment. */
package io.herald.aws.config;
