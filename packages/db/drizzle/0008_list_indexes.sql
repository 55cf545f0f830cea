DROP INDEX "payments_merchant_list_idx";--> statement-breakpoint
DROP INDEX "payments_open_expiry_idx";--> statement-breakpoint
CREATE INDEX "payments_list_idx" ON "payments" USING btree ("merchant_id","mode","direction","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_status_list_idx" ON "payments" USING btree ("merchant_id","mode","direction","status","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_expiry_sweep_idx" ON "payments" USING btree ("expires_at") WHERE status in ('pending', 'partially_paid');--> statement-breakpoint
CREATE INDEX "payments_payouts_under_way_idx" ON "payments" USING btree ("created_at") WHERE direction = 'out' and status in ('pending', 'processing');--> statement-breakpoint
CREATE INDEX "payments_escrow_under_way_idx" ON "payments" USING btree ("updated_at") WHERE escrow_status in ('releasing', 'refunding');--> statement-breakpoint
CREATE INDEX "webhook_deliveries_merchant_idx" ON "webhook_deliveries" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries" USING btree ("event_id");