import { useEffect, useState } from 'react';
import { BrowserRouter } from 'react-router';
import { setUnauthorizedHandler } from '../lib/api/client';
import { queryKeys } from '../lib/api/keys';
import { AppProviders, createQueryClient } from './providers';
import { AppRoutes } from './routes';
import './styles.css';

export function App() {
  const [client] = useState(createQueryClient);
  // An expired session anywhere sends the person back to sign in (RequireSession sees no caller).
  useEffect(() => {
    setUnauthorizedHandler(() => client.setQueryData(queryKeys.me, null));
    return () => setUnauthorizedHandler(null);
  }, [client]);
  return (
    <AppProviders client={client}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AppProviders>
  );
}
