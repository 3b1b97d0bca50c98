ALTER TABLE "transit_movements" ADD COLUMN "declared_time_limit" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "transit_movements" ADD COLUMN "proposed_time_limit" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "transit_movements" ADD COLUMN "time_limit_source" text DEFAULT 'proposed' NOT NULL;--> statement-breakpoint
ALTER TABLE "transit_movements" ADD COLUMN "arrived_at" timestamp (3) with time zone;--> statement-breakpoint
UPDATE "transit_movements" SET "proposed_time_limit" = "time_limit" WHERE "proposed_time_limit" IS NULL;--> statement-breakpoint
ALTER TABLE "transit_alerts" ADD COLUMN "withdrawn_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "transit_alerts" ADD COLUMN "withdrawal" jsonb;--> statement-breakpoint
CREATE INDEX "transit_movements_plate_idx" ON "transit_movements" USING btree ("plate");--> statement-breakpoint
CREATE INDEX "transit_movements_containers_idx" ON "transit_movements" USING gin ("containers");--> statement-breakpoint
CREATE INDEX "transit_movements_seals_idx" ON "transit_movements" USING gin ("seals");--> statement-breakpoint
CREATE INDEX "transit_alerts_movement_idx" ON "transit_alerts" USING btree ("movement_id","status");
