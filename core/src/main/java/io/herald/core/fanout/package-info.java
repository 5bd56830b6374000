/**
 * Tree fan-out for topics too large for one invocation: the tasks a publication becomes
 * ({@link io.herald.core.fanout.FanOutTask}), their wire form, and the ports they travel through
 * (the task queue, the per-batch delivered sets). The service that runs a task is
 * {@link io.herald.core.service.FanOutService}.
 */
package io.herald.core.fanout;
