// A small hook for loading data from the backend with a visible error.

import { useCallback, useEffect, useState } from "preact/hooks";
import { toBackendError } from "../api/backend";

export interface AsyncState<T> {
  value: T | null;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useAsync<T>(load: () => Promise<T>, dependencies: unknown[]): AsyncState<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setValue(await load());
      setError(null);
    } catch (caught) {
      setError(toBackendError(caught).message);
    } finally {
      setLoading(false);
    }
  }, dependencies);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, loading, reload };
}
