"""Results: the run's tables (monthly, by fiscal year), the KPI table, and the event
engine's tables."""
