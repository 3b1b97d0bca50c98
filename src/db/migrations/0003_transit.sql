CREATE TABLE "port_discharges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"country" text NOT NULL,
	"office" text NOT NULL,
	"manifest_reference" text NOT NULL,
	"transport_document" text NOT NULL,
	"packages" integer NOT NULL,
	"gross_mass_kg" double precision NOT NULL,
	"containers" jsonb NOT NULL,
	"discharged_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "port_discharges_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "transit_alerts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"country" text NOT NULL,
	"countries" text[] NOT NULL,
	"roles" jsonb NOT NULL,
	"movement_id" uuid,
	"subject" text NOT NULL,
	"code" text NOT NULL,
	"params" jsonb NOT NULL,
	"evidence" jsonb NOT NULL,
	"status" text NOT NULL,
	"raised_at" timestamp (3) with time zone NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "transit_alerts_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	CONSTRAINT "transit_alerts_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "transit_chains" (
	"chain" text PRIMARY KEY NOT NULL,
	"event_count" integer NOT NULL,
	"head_hash" text NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transit_events" (
	"chain" text NOT NULL,
	"seq" integer NOT NULL,
	"event_id" text NOT NULL,
	"movement_id" uuid,
	"type" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"office" text,
	"country" text,
	"data" jsonb NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "transit_events_chain_seq_pk" PRIMARY KEY("chain","seq"),
	CONSTRAINT "transit_events_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "transit_movements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"reference" text NOT NULL,
	"mode" integer NOT NULL,
	"office_of_departure" text NOT NULL,
	"office_of_destination" text NOT NULL,
	"route" jsonb NOT NULL,
	"countries" text[] NOT NULL,
	"distance_km" double precision NOT NULL,
	"departure_at" timestamp (3) with time zone NOT NULL,
	"time_limit" timestamp (3) with time zone NOT NULL,
	"plate" text,
	"rfid_tag" text,
	"containers" jsonb NOT NULL,
	"seals" jsonb NOT NULL,
	"gross_mass_kg" double precision NOT NULL,
	"packages" integer NOT NULL,
	"status" text NOT NULL,
	"content_hash" text NOT NULL,
	"payload" jsonb NOT NULL,
	"event_count" integer DEFAULT 0 NOT NULL,
	"head_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "transit_movements_country_reference_uq" UNIQUE("country","reference")
);
--> statement-breakpoint
CREATE TABLE "transit_thresholds" (
	"country" text PRIMARY KEY NOT NULL,
	"values" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "port_discharges_manifest_idx" ON "port_discharges" USING btree ("country","manifest_reference");--> statement-breakpoint
CREATE INDEX "transit_alerts_country_idx" ON "transit_alerts" USING btree ("country","raised_at");--> statement-breakpoint
CREATE INDEX "transit_alerts_kind_idx" ON "transit_alerts" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "transit_events_movement_idx" ON "transit_events" USING btree ("movement_id","at");--> statement-breakpoint
CREATE INDEX "transit_movements_status_idx" ON "transit_movements" USING btree ("status","time_limit");--> statement-breakpoint
CREATE INDEX "transit_movements_tag_idx" ON "transit_movements" USING btree ("rfid_tag");