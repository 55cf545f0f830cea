CREATE TABLE "rail_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"holder" text,
	"lease_until" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "dispute_status" text;