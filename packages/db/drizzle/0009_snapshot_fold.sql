ALTER TABLE "payments" ADD COLUMN "fact_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "last_fact" jsonb;--> statement-breakpoint
ALTER TABLE "observations" ADD COLUMN "fact_key" text;--> statement-breakpoint
-- core's factKey of the facts already stored (the JSON is core's Observation, see codec.ts).
UPDATE "observations" SET "fact_key" = CASE "type"
  WHEN 'credit' THEN 'tx:' || ("body" ->> 'txKey')
  ELSE 'refund:' || ("body" ->> 'refundKey') END
WHERE "type" IN ('credit', 'refund', 'refund_failed');--> statement-breakpoint
-- The facts themselves are already rows of observations; last_fact stays null (unknown), so the
-- next fact of a payment that has some is placed by a full fold, which records it.
UPDATE "payments" SET "fact_count" = jsonb_array_length("facts") WHERE jsonb_array_length("facts") > 0;--> statement-breakpoint
CREATE INDEX "observations_fact_key_idx" ON "observations" USING btree ("payment_id","fact_key") WHERE fact_key is not null;--> statement-breakpoint
ALTER TABLE "payments" DROP COLUMN "facts";
