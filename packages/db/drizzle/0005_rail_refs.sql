CREATE TABLE "rail_refs" (
	"rail" text NOT NULL,
	"ref" text NOT NULL,
	"payment_id" text NOT NULL,
	"quote" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "rail_refs_rail_ref_pk" PRIMARY KEY("rail","ref")
);
--> statement-breakpoint
ALTER TABLE "rail_refs" ADD CONSTRAINT "rail_refs_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rail_refs_payment_idx" ON "rail_refs" USING btree ("payment_id");