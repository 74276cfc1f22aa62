/**
 * Throttling of the HTTP API's stage: a token bucket per stage that holds `burstLimit` requests and
 * refills at `rateLimit` per second; a request finding it empty is refused with 429 before any function
 * runs. CDK deploys these defaults (`-c apiRateLimit`, `-c apiBurstLimit` override them) and the local
 * gateway applies the same bucket, so a client's retry logic meets the same answer locally.
 */
export interface ApiThrottle {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Requests the bucket holds: how far a burst may exceed the rate. */
  burstLimit: number;
}

export const defaultApiThrottle: ApiThrottle = { rateLimit: 500, burstLimit: 1000 };
