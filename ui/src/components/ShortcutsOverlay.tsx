// The `?` overlay: every keyboard shortcut in one list. Esc or the Close
// button hides it; focus goes to the Close button when it opens.

import { useEffect, useRef } from "preact/hooks";

export interface Shortcut {
  keys: string;
  action: string;
}

export function ShortcutsOverlay({ shortcuts, onClose }: { shortcuts: Shortcut[]; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="overlay" onClick={onClose}>
      <div class="overlay-card" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(event) => event.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table class="table" aria-label="Shortcuts">
          <tbody>
            {shortcuts.map((shortcut) => (
              <tr key={shortcut.keys}>
                <th scope="row">
                  <kbd>{shortcut.keys}</kbd>
                </th>
                <td>{shortcut.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" ref={close} onClick={onClose} aria-label="Close shortcuts">
          Close
        </button>
      </div>
    </div>
  );
}
