// The page's one transport to the portal. Session, sync and connectivity share it, so the outcome of
// every request the page makes feeds reachability. (Workers make their own: see worker/handlers.ts.)
import { HttpTransport } from '../sync/transport';

/** Implements PortalTransport, plus the request outcomes and probe that reachability is made of. */
export const transport = new HttpTransport();
