ALTER TABLE "payments" ADD COLUMN "direction" text DEFAULT 'in' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payout_destination" text;