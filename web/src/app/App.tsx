import { Suspense, useEffect } from 'react';
import { Layout } from '../components/Layout.tsx';
import { Loading } from '../components/States.tsx';
import { I18nProvider } from '../i18n/index.tsx';
import { Login } from '../pages/Login.tsx';
import { NotFound } from '../pages/NotFound.tsx';
import { can, homeOf } from './access.ts';
import { ReferenceProvider } from './reference.tsx';
import { match, RouterProvider, useRouter } from './router.tsx';
import { SCREENS } from './routes.tsx';
import { SessionProvider, useSession } from './session.tsx';

function Screens() {
  const { session } = useSession();
  const { path, navigate } = useRouter();
  const role = session?.user.role;

  // a role without the dashboard starts at its first screen; /login after signing in goes home
  useEffect(() => {
    if (!session) return;
    if (path === '/login' || (path === '/' && !can(role, 'dashboard'))) navigate(homeOf(role), { replace: true });
  }, [session, path, role, navigate]);

  if (!session) return <Login />;
  let content = <NotFound />;
  for (const s of SCREENS) {
    const params = match(s.pattern, path);
    if (!params) continue;
    content = can(role, s.needs) ? <>{s.render(params)}</> : <NotFound forbidden />;
    break;
  }
  return (
    <ReferenceProvider>
      <Layout>
        {/* each page is a chunk of its own (routes.tsx): the shell stays while it loads */}
        <Suspense fallback={<Loading />}>{content}</Suspense>
      </Layout>
    </ReferenceProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <RouterProvider>
          <Screens />
        </RouterProvider>
      </SessionProvider>
    </I18nProvider>
  );
}
