/** `GET /api/health/summary`, as the dashboard reads it. */
export interface HealthSummary {
  providers: {
    provider_id: string;
    name: string;
    health_status: string;
    latency_ewma_ms: number | null;
    consecutive_failures: number;
    last_checked_at: string | null;
    uptime_24h: number | null;
    open_incident_id: string | null;
  }[];
  totals: { healthy: number; degraded: number; down: number; unknown: number; open_incidents: number };
}

/** What every view is given: who is signed in, what the key may do, and a way to redraw. */
export interface ViewContext {
  /** Rebuilds the view (after a change). */
  refresh: () => void;
  me: import('../api.js').Me;
  /** Whether the key holds an access class (`read`, `write`, `secrets`, `invoke`). */
  can: (permission: string) => boolean;
}

/** A view renders its section's content. */
export type View = (ctx: ViewContext) => Promise<HTMLElement>;

/** Provider names by id, for views that show ids from other lists. */
export type Names = Map<string, string>;
