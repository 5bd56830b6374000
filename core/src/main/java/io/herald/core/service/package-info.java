/** Herald's use cases: connect, client sessions, publish/fan-out, lifecycle. Handlers call these. */
package io.herald.core.service;
