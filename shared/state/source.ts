import { chainIdOf } from '../chains/chain-id';
import type { Chain } from '../chains/config';
import type { ChainState } from '../chains/state';
import type { StateStore } from './store';

export interface DatabaseChain {
  database: string;
  state: ChainState;
}

/** Every database's chain of a source, as stored now (chain-id.ts). */
export async function loadSource(store: StateStore, chain: Chain): Promise<DatabaseChain[]> {
  const databases = (await store.listDatabases(chain.id)).sort();
  return Promise.all(databases.map(async (database) => ({ database, state: await store.load(chainIdOf(chain, database)) })));
}

/** The source's chains as one state, for reading only (status, a cutover preview): files by key, notices together. */
export function mergeChains(chains: DatabaseChain[]): ChainState {
  const cutovers = chains.flatMap((c) => (c.state.meta.cutoverRequestedAt !== undefined ? [c.state.meta.cutoverRequestedAt] : []));
  return {
    meta: {
      notices: chains.flatMap((c) => c.state.meta.notices),
      updatedAt: Math.max(0, ...chains.map((c) => c.state.meta.updatedAt)),
      ...(cutovers.length > 0 ? { cutoverRequestedAt: Math.min(...cutovers) } : {}),
    },
    files: Object.assign({}, ...chains.map((c) => c.state.files)) as ChainState['files'],
  };
}
