import { createContext, useContext } from 'react';

/** True when signed in with the read-only token: controls that change something are disabled (the API would say 403). */
export const ReadOnlyContext = createContext(false);

export function useReadOnly(): boolean {
  return useContext(ReadOnlyContext);
}
