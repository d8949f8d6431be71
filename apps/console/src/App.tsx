import { useEffect } from 'react';
import { SERVICES, SERVICE_LABELS } from './api/client';
import { Loading } from './components';
import { useHashRoute } from './hooks/useHashRoute';
import { SignInPage } from './pages/SignInPage';
import { SIGN_IN_PATH, visibleRoutes } from './routes';
import { useSession } from './session';

export function App() {
  const session = useSession();
  const route = useHashRoute();
  const routes = visibleRoutes(session);
  const current = routes.find((candidate) => candidate.path === route.path);
  const { navigate } = route;

  // Signed in on the sign-in page or an unknown route → the first page the keys may see.
  const firstPath = routes[0]?.path;
  const known = route.path === SIGN_IN_PATH || current !== undefined;
  useEffect(() => {
    if (session.status === 'signed-in' && !known && firstPath) navigate(firstPath);
  }, [session.status, known, firstPath, navigate]);

  if (session.status === 'restoring') {
    return (
      <main className="centered" id="main">
        <Loading label="Checking your keys" />
      </main>
    );
  }
  if (session.status === 'signed-out') {
    return (
      <main className="centered" id="main">
        <SignInPage />
      </main>
    );
  }

  const Page = current?.component;
  return (
    <div className="layout">
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={firstPath ? `#${firstPath}` : '#/sign-in'}>
          Plafond <span className="muted">console</span>
        </a>
        <ul className="roles" aria-label="Connected services">
          {SERVICES.map((service) => {
            const self = session.connections[service]?.self;
            return (
              <li key={service} className={self ? 'connected' : 'not-connected'}>
                <span className="service-name">{SERVICE_LABELS[service]}</span>{' '}
                {self ? (
                  <span className="role">
                    {self.role}
                    {self.scopeUnitId ? ` · ${self.scopeUnitId}` : ''}
                  </span>
                ) : (
                  <span className="muted">not connected</span>
                )}
              </li>
            );
          })}
        </ul>
        <div className="topbar-actions">
          <a href={`#${SIGN_IN_PATH}`} className="button-link">
            Keys
          </a>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidenav" aria-label="Pages">
        <ul>
          {routes.map((candidate) => (
            <li key={candidate.path}>
              <a
                href={`#${candidate.path}`}
                aria-current={candidate.path === route.path ? 'page' : undefined}
              >
                {candidate.name}
              </a>
            </li>
          ))}
        </ul>
        {routes.length === 0 && (
          <p className="muted small">No page is open to the connected keys.</p>
        )}
      </nav>
      <main id="main" tabIndex={-1} className="content">
        {route.path === SIGN_IN_PATH ? (
          <SignInPage />
        ) : Page ? (
          <Page key={route.path} />
        ) : (
          <Loading label="Opening" />
        )}
      </main>
    </div>
  );
}

function skipToMain(event: { preventDefault(): void }) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
