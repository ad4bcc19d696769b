// undici's index also loads fetch, WebSocket, caches and mocks (~0.5 MB minified), and attaches
// `request` to every dispatcher as a side effect. The transport needs only the pool and `request`, so it
// imports those two modules directly; these declarations give them undici's own types.
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici';
  export = Pool;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export = request;
}
