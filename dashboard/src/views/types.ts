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
