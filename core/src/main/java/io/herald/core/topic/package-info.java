/** Topic names and subscription patterns ({@code *}, {@code **}) and how patterns are indexed. */
package io.herald.core.topic;
