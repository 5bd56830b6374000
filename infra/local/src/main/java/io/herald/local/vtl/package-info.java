/**
 * API Gateway's mapping templates (VTL) for the local stack's MOCK integrations and integration
 * responses: Apache Velocity with API Gateway's variables ({@code $context}, {@code $input},
 * {@code $util}, {@code $stageVariables}); what a template uses beyond them is refused at start.
 */
package io.herald.local.vtl;
