// The app's I/O capabilities, made once. Tests and future backends swap the transport here.
import { HttpTransport, type PortalTransport } from '../sync/transport';

export const transport: PortalTransport = new HttpTransport();
