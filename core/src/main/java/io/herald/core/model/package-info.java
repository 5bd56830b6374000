/** The canonical model: publications, connections, subscriptions. No AWS or Lambda types. */
package io.herald.core.model;
