ALTER TABLE "transit_movements" ADD COLUMN "received_from" text;--> statement-breakpoint
ALTER TABLE "transit_movements" ADD COLUMN "received_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "transit_movements" ADD COLUMN "received_message_id" text;--> statement-breakpoint
ALTER TABLE "transit_events" ADD COLUMN "received_from" text;--> statement-breakpoint
ALTER TABLE "transit_events" ADD COLUMN "received_message_id" text;--> statement-breakpoint
ALTER TABLE "transit_alerts" ADD COLUMN "received_from" text;--> statement-breakpoint
ALTER TABLE "transit_alerts" ADD COLUMN "source_alert_id" uuid;--> statement-breakpoint
ALTER TABLE "transit_alerts" ADD COLUMN "received_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "transit_alerts" ADD COLUMN "received_message_id" text;--> statement-breakpoint
CREATE INDEX "transit_alerts_source_idx" ON "transit_alerts" USING btree ("source_alert_id");--> statement-breakpoint
CREATE TABLE "transit_parked" (
	"message_id" text NOT NULL,
	"recipient" text NOT NULL,
	"movement_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"sender" text NOT NULL,
	"envelope" jsonb NOT NULL,
	"parked_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "transit_parked_message_id_recipient_pk" PRIMARY KEY("message_id","recipient")
);--> statement-breakpoint
CREATE INDEX "transit_parked_movement_idx" ON "transit_parked" USING btree ("movement_id","recipient");--> statement-breakpoint
CREATE TABLE "transit_messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "transit_messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"movement_id" uuid NOT NULL,
	"message_id" text,
	"direction" text NOT NULL,
	"kind" text NOT NULL,
	"sender" text NOT NULL,
	"recipients" text[] NOT NULL,
	"summary" jsonb NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "transit_messages_movement_idx" ON "transit_messages" USING btree ("movement_id","id");
