// Browser-only: the app runs from IndexedDB and a worker, so nothing renders on a server.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
