import { ApiError } from '../api/client';

/** An API error as a readable message with its stable code (role=alert: read out at once). */
export function ErrorMessage({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const apiError = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  const issues = apiError ? issuesOf(apiError.details) : [];
  return (
    <div className="error" role="alert">
      <p>
        <strong>{title ?? 'Something went wrong'}</strong>
        {apiError && (
          <>
            {' '}
            <code className="error-code">{apiError.code}</code>
            {apiError.status > 0 && <span className="muted"> (HTTP {apiError.status})</span>}
          </>
        )}
      </p>
      <p className="error-message">{message}</p>
      {issues.length > 0 && (
        <ul className="error-issues">
          {issues.map((issue, index) => (
            <li key={index}>
              {issue.path && <code>{issue.path}</code>} {issue.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** `details.issues: [{ path, message }]` as the services send for validation errors. */
export function issuesOf(details: unknown): { path: string; message: string }[] {
  if (!details || typeof details !== 'object') return [];
  const issues = (details as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return [];
  return issues.map((issue: unknown) => {
    if (issue && typeof issue === 'object') {
      const { path, message, code } = issue as {
        path?: unknown;
        message?: unknown;
        code?: unknown;
      };
      const pathText = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      const text = typeof message === 'string' ? message : typeof code === 'string' ? code : '';
      return { path: pathText, message: text || JSON.stringify(issue) };
    }
    return { path: '', message: String(issue) };
  });
}
