CREATE TABLE "trader_aeo_statuses" (
	"observer" text NOT NULL,
	"administration" text NOT NULL,
	"tin" text NOT NULL,
	"programme" text NOT NULL,
	"status" text NOT NULL,
	"since" timestamp (3) with time zone NOT NULL,
	"until" timestamp (3) with time zone,
	"reason" text NOT NULL,
	"name" text,
	"revision" integer NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL,
	"message_id" uuid,
	CONSTRAINT "trader_aeo_statuses_observer_administration_tin_pk" PRIMARY KEY("observer","administration","tin")
);
--> statement-breakpoint
CREATE INDEX "trader_aeo_statuses_tin_idx" ON "trader_aeo_statuses" USING btree ("tin");
--> statement-breakpoint
CREATE TABLE "trader_aeo_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"observer" text NOT NULL,
	"administration" text NOT NULL,
	"tin" text NOT NULL,
	"revision" integer NOT NULL,
	"status" jsonb NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL,
	"message_id" uuid
);
--> statement-breakpoint
CREATE INDEX "trader_aeo_changes_trader_idx" ON "trader_aeo_changes" USING btree ("observer","administration","tin","revision");
