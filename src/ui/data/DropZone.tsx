/** Drop target for a whole image folder (and, optionally, its score file next to it). */
import { useState, type ReactNode } from 'react';
import { entriesOf, readDroppedEntries, type DroppedItems } from './readDroppedItems';

interface Props {
  onDrop: (items: DroppedItems) => void;
  onError: (message: string) => void;
  /** While training, new data cannot be dropped in. */
  disabled: boolean;
  children: ReactNode;
}

export function DropZone({ onDrop, onError, disabled, children }: Props) {
  const [over, setOver] = useState(false);
  return (
    <div
      className={`drop-zone${over ? ' drop-zone--over' : ''}`}
      onDragOver={(e) => {
        // Always take the drag, or the browser would open the dropped file in place of the studio.
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
        if (!disabled) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (disabled) return;
        const entries = entriesOf(e.dataTransfer);
        if (entries.length === 0) {
          onError('Nothing usable was dropped. Drop a folder of images (and its score file), or use the buttons.');
          return;
        }
        readDroppedEntries(entries)
          .then((items) => {
            if (!items.folder && !items.scoreFile)
              onError('Drop the folder itself (not single images), or a CSV/TXT score file. Your browser may need the buttons instead.');
            else onDrop(items);
          })
          .catch((err: Error) => onError(`The dropped folder could not be read: ${err.message}. Try the "Image folder" button instead.`));
      }}
    >
      <p className="drop-zone__hint" aria-hidden="true">
        Drop an image folder here (with its score file, if you like), or choose them below.
      </p>
      {children}
    </div>
  );
}
