import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Office } from '../api/types.ts';
import { useApi } from './useApi.ts';

interface Reference {
  offices: Office[];
  office(code: string | null | undefined): Office | undefined;
  officeName(code: string | null | undefined): string;
  loaded: boolean;
}

const Ctx = createContext<Reference>({ offices: [], office: () => undefined, officeName: (c) => c ?? '—', loaded: false });

/** Reference data every screen names things with: the customs offices of the region. */
export function ReferenceProvider({ children }: { children: ReactNode }) {
  const { data } = useApi<{ items: Office[] }>('/api/v1/reference/offices');
  const value = useMemo<Reference>(() => {
    const offices = data?.items ?? [];
    const byCode = new Map(offices.map((o) => [o.code, o]));
    return {
      offices,
      loaded: !!data,
      office: (c) => (c ? byCode.get(c) : undefined),
      officeName: (c) => (c ? (byCode.get(c)?.name ?? c) : '—'),
    };
  }, [data]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useReference(): Reference {
  return useContext(Ctx);
}
