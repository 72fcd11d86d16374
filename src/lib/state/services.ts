// The app's I/O capabilities, made once. Tests and future backends swap the transport here.
import { HttpTransport } from '../sync/transport';

/** Implements PortalTransport, plus the request outcomes and probe that reachability is made of. */
export const transport = new HttpTransport();
