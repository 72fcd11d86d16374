// Typed calls into a Web Worker, derived from the worker's own handler map (the comlink / Actual
// loot-core `send<K extends keyof Handlers>` idea): the worker exposes an object of async functions,
// the page imports only its *type*, and `client.call('name', args)` is checked against that
// function's parameter and return types. A call that does not exist, or takes other arguments,
// does not compile.
//
// Written here rather than taken from comlink because what we need around the calls is the hard
// part and comlink leaves it out: progress callbacks, a time limit per call, Cancel, and a fresh
// worker after one crashed or was stopped. Stopping is terminate(): a parse in progress cannot be
// interrupted from outside, and a terminated comlink endpoint leaves its promises pending forever.

/** What a handler gets besides its arguments. */
export interface CallContext<P> {
	/** Reports progress to the caller's onProgress, if it gave one. */
	progress(value: P): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handler maps are checked per handler through Args/Result
export type Handler<P> = (args: any, ctx: CallContext<P>) => unknown;

type Args<F> = F extends (args: infer A, ...rest: never[]) => unknown ? A : never;
type Result<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

type Call = { id: number; name: string; args: unknown };
type Reply =
	| { id: number; kind: 'progress'; value: unknown }
	| { id: number; kind: 'result'; value: unknown }
	| { id: number; kind: 'error'; message: string };

interface Scope {
	postMessage(message: Reply): void;
	onmessage: ((event: MessageEvent<Call>) => void) | null;
}

/**
 * Worker side: answers calls with `handlers`. An error's message goes to the caller as written by
 * `describeError`: our own errors carry sentences for admins, a programming error must not.
 */
export function expose<P>(
	handlers: Record<string, Handler<P>>,
	options: { describeError: (error: unknown) => string; scope?: Scope }
): void {
	const scope = options.scope ?? (self as unknown as Scope);
	scope.onmessage = (event) => {
		const { id, name, args } = event.data;
		const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
		const ctx: CallContext<P> = { progress: (value) => scope.postMessage({ id, kind: 'progress', value }) };
		Promise.resolve()
			.then(() => {
				if (!handler) throw new TypeError(`No worker handler "${name}"`);
				return handler(args, ctx);
			})
			.then(
				(value) => scope.postMessage({ id, kind: 'result', value }),
				(error: unknown) => scope.postMessage({ id, kind: 'error', message: options.describeError(error) })
			);
	};
}

export class CancelledError extends Error {
	constructor() {
		super('Cancelled');
		this.name = 'CancelledError';
	}
}

export interface CallOptions<P> {
	onProgress?: (value: P) => void;
	transfer?: Transferable[];
	/** Stop the worker if the answer has not come within this time; `onTimeout` says what the caller is told. */
	timeoutMs?: number;
	onTimeout?: () => Error;
}

type Pending<P> = {
	resolve: (value: unknown) => void;
	reject: (error: Error) => void;
	onProgress?: (value: P) => void;
	timer?: ReturnType<typeof setTimeout>;
};

type CallArgs<F, P> = undefined extends Args<F> ? [args?: Args<F>, options?: CallOptions<P>] : [args: Args<F>, options?: CallOptions<P>];

/** Page side. `H` is the worker's handler map type, `P` its progress type. */
export class WorkerClient<H extends Record<keyof H, Handler<P>>, P = never> {
	private worker: Worker | undefined;
	private nextId = 1;
	private pending = new Map<number, Pending<P>>();

	constructor(
		private readonly createWorker: () => Worker,
		/** Told to every pending caller when the worker dies (out of memory, a crash in the engine). */
		private readonly crashMessage: string
	) {}

	call<K extends keyof H & string>(name: K, ...[args, options = {}]: CallArgs<H[K], P>): Promise<Result<H[K]>> {
		const worker = this.ensure();
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			const entry: Pending<P> = { resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress };
			if (options.timeoutMs !== undefined) {
				const fail =
					options.onTimeout ?? (() => new Error(`The worker did not answer within ${Math.round(options.timeoutMs! / 1000)} seconds.`));
				entry.timer = setTimeout(() => this.failAll(fail()), options.timeoutMs);
			}
			this.pending.set(id, entry);
			worker.postMessage({ id, name, args } satisfies Call, options.transfer ?? []);
		});
	}

	/** Stops whatever the worker is doing and rejects every pending call; the next call starts a fresh worker. */
	cancel(): void {
		this.failAll(new CancelledError());
	}

	/** Frees the worker and everything it holds in memory (e.g. at sign-out). */
	stop(): void {
		this.failAll(new CancelledError());
	}

	private ensure(): Worker {
		if (this.worker) return this.worker;
		const worker = this.createWorker();
		worker.onmessage = (event: MessageEvent<Reply>) => {
			const reply = event.data;
			const entry = this.pending.get(reply.id);
			if (!entry) return;
			if (reply.kind === 'progress') return entry.onProgress?.(reply.value as P);
			this.pending.delete(reply.id);
			clearTimeout(entry.timer);
			if (reply.kind === 'error') entry.reject(new Error(reply.message));
			else entry.resolve(reply.value);
		};
		worker.onerror = (event) => {
			event.preventDefault?.();
			this.failAll(new Error(this.crashMessage));
		};
		this.worker = worker;
		return worker;
	}

	private failAll(error: Error): void {
		for (const entry of this.pending.values()) {
			clearTimeout(entry.timer);
			entry.reject(error);
		}
		this.pending.clear();
		this.worker?.terminate();
		this.worker = undefined;
	}
}
