/**
 * The page's jobs on stored runs and models — export, import, check a model, score — done by
 * a worker of their own (tfjs never loads on the page), started at the first job and kept.
 */
import { useCallback, useEffect, useRef } from 'react';
import { TrainerClient } from '../../worker/client';
import type { TaskReplyOf, TaskRequest } from '../../worker/protocol';

export type RunTask = <R extends TaskRequest>(request: R) => Promise<TaskReplyOf<R['task']>>;

export function useTasks(): RunTask {
  const client = useRef<TrainerClient | null>(null);
  useEffect(
    () => () => {
      client.current?.terminate();
      client.current = null;
    },
    [],
  );
  return useCallback(<R extends TaskRequest>(request: R) => {
    // A worker that died (crash, out of memory) is replaced by a fresh one.
    if (!client.current?.alive) client.current = new TrainerClient();
    return client.current.task(request);
  }, []);
}
