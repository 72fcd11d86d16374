// A stand-in Worker that runs a handler map in this process through the real expose(), so client and
// handlers are tested together with real message passing (structured clone aside) and no browser.
import { expose, type Handler } from '../rpc/worker-rpc';

export class InProcessWorker {
	onmessage: ((event: MessageEvent) => void) | null = null;
	onerror: ((event: ErrorEvent) => void) | null = null;
	terminated = false;
	/** Every message posted to the worker, in order. */
	readonly received: unknown[] = [];
	private readonly scope = {
		onmessage: null as ((event: MessageEvent) => void) | null,
		postMessage: (message: unknown) => {
			if (!this.terminated) queueMicrotask(() => this.onmessage?.({ data: message } as MessageEvent));
		}
	};

	constructor(
		handlers: Record<string, Handler<never>>,
		describeError: (error: unknown) => string = (e) => (e instanceof Error ? e.message : String(e))
	) {
		expose(handlers, { describeError, scope: this.scope });
	}

	postMessage(message: unknown): void {
		this.received.push(message);
		queueMicrotask(() => this.scope.onmessage?.({ data: message } as MessageEvent));
	}

	terminate(): void {
		this.terminated = true;
	}

	/** What the browser does when a worker dies (out of memory, an engine crash). */
	crash(): void {
		this.onerror?.({ preventDefault() {} } as ErrorEvent);
	}
}
