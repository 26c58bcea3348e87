/**
 * Runs `run` at most once per `ms` however often it is asked for: a burst of events (a webhook
 * retry storm, a load test's requests) becomes one reload.
 */
export function coalesce(run: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  };
}
