// A modal confirmation on the native <dialog>: focus moves into it and stays there, Escape cancels, and an error of the
// confirmed action is shown inside it, next to the button that will try again.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button, ErrorMessage } from '../ui/kit';

export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  variant?: 'primary' | 'danger';
  busy: boolean;
  error: unknown;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!props.busy) props.onCancel();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <ErrorMessage error={props.error} />
      <div className="actions">
        <Button type="button" variant={props.variant ?? 'primary'} busy={props.busy} onClick={props.onConfirm}>
          {props.confirmLabel}
        </Button>
        <Button type="button" variant="secondary" disabled={props.busy} onClick={props.onCancel}>
          Cancel
        </Button>
      </div>
    </dialog>
  );
}
