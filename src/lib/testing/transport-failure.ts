import { TransportError } from '../sync/transport';

/** The TransportError `promise` rejects with; anything else (or success) fails the test. */
export async function transportFailure(promise: Promise<unknown>): Promise<TransportError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof TransportError) return error;
		throw error;
	}
	throw new Error('expected the portal to refuse (a TransportError)');
}
