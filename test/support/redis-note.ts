/** Why a Redis-clustered test did not run (shown by the reporter and by the global setup). */
export const NO_REDIS = 'redis-server is not installed on this machine, so the Redis-clustered paths are not tested (apt-get install redis-server)';
