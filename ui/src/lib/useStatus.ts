// The backend's status (sync targets, feeds, backup): fetched once, then
// replaced by every `status-changed` push. `onChange` also hears each push,
// so a screen can reload its own details when something moved.

import { useEffect, useRef, useState } from "preact/hooks";
import type { Backend, StatusView } from "../api/backend";

export function useStatus(backend: Backend, onChange?: (status: StatusView) => void): StatusView | null {
  const [status, setStatus] = useState<StatusView | null>(null);
  const listener = useRef(onChange);
  listener.current = onChange;
  useEffect(() => {
    let live = true;
    const stop = backend.onStatusChanged((next) => {
      if (!live) return;
      setStatus(next);
      listener.current?.(next);
    });
    backend
      .appStatus()
      .then((first) => live && setStatus((pushed) => pushed ?? first))
      .catch(() => undefined);
    return () => {
      live = false;
      stop();
    };
  }, [backend]);
  return status;
}
