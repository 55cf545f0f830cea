-- Queue-like tables: every row is updated once or twice and then left alone, so dead row versions
-- pile up at the front of the index the workers scan ("pending, oldest first") and each claim steps
-- over all of them. The default (vacuum at 20% dead) lets thousands build up; vacuum these after a
-- few hundred instead, without the cost-based pauses.
ALTER TABLE "webhook_deliveries" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.05);--> statement-breakpoint
ALTER TABLE "outbox" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0);--> statement-breakpoint
ALTER TABLE "provider_inbox" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0);
