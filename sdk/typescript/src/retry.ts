/** Retrying reads the server could not serve right now. */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

export interface RetryOptions {
  /** Attempts after the first (default 3; 0 turns retrying off). */
  retries?: number;
  /** Pause before the first retry, doubled each time up to 5 s (ms; default 100). */
  backoffMs?: number;
}

/** Reads: safe to send again, whatever happened to the first attempt. */
const READ = /^(Get|List|Preview)/;

/**
 * Sends a unary read again after UNAVAILABLE (a draining or restarting
 * server, a dropped connection), with exponential backoff. Calls that
 * change something are not retried: the first attempt may have been done.
 */
export function retryUnavailableReads(options: RetryOptions = {}): Interceptor {
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 100;
  return (next) => async (request) => {
    if (request.stream || !READ.test(request.method.name)) {
      return next(request);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await next(request);
      } catch (err) {
        const error = ConnectError.from(err);
        if (error.code !== Code.Unavailable || attempt >= retries || request.signal.aborted) {
          throw error;
        }
        await new Promise((resume) => setTimeout(resume, Math.min(5_000, backoff * 2 ** attempt)));
      }
    }
  };
}
