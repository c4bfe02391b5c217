/**
 * Let queued tasks (the page's pause/stop messages, throttle timers) run. A resolved
 * promise is not enough: wasm and cpu training steps only await microtasks, so without
 * a real task boundary the worker would not read its messages until the run ended.
 * A MessageChannel round trip is a task without setTimeout's 4 ms nesting clamp.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}
