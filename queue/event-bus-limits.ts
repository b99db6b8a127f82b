/** What an event bus keeps of each build's events (the `BuildQueue.*` history settings). */
export interface EventBusLimits {
  /** Events kept per build (`BuildQueue.event_history`). */
  maxHistory: number;
  /** Bytes of event JSON kept per build (`BuildQueue.event_history_max_bytes`; default: no cap). */
  maxHistoryBytes?: number;
  /** Largest event, in bytes of JSON (`BuildQueue.event_max_bytes`; default: no limit). */
  maxEventBytes?: number;
}

/** The history limits of `BuildQueue.*` as event bus options (api and runner alike). */
export function eventBusLimits(q: {
  event_history: number;
  event_history_max_bytes: number;
  event_max_bytes: number;
}): EventBusLimits {
  return {
    maxHistory: q.event_history,
    maxHistoryBytes: q.event_history_max_bytes,
    maxEventBytes: q.event_max_bytes,
  };
}
