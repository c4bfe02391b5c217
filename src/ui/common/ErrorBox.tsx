/** An error the user must see: what happened (the message) and what to do next. */
import type { Advice } from './errorAdvice';

interface Props {
  advice: Advice;
  message: string;
  onDismiss?: () => void;
}

export function ErrorBox({ advice, message, onDismiss }: Props) {
  return (
    <div className="error-box" role="alert">
      <p className="error-box__title">{advice.title}</p>
      <p className="error-box__message">{message}</p>
      <p className="error-box__next">
        <strong>What to do:</strong> {advice.next}
      </p>
      {onDismiss && (
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
