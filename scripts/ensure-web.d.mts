/** Whether web/dist is missing or older than any source of the web app. */
export function webIsStale(): boolean;
/** Builds the web app if it is stale (or always, with force). Answers whether it built. */
export function ensureWeb(opts?: { force?: boolean; quiet?: boolean }): Promise<boolean>;
