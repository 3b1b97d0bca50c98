CREATE TABLE "login_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_start" timestamp (3) with time zone NOT NULL,
	"locked_until" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_throttle_updated_idx" ON "login_throttle" USING btree ("updated_at");--> statement-breakpoint
CREATE TABLE "risk_config_versions" (
	"country" text NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"reverted_from" integer,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "risk_config_versions_country_version_pk" PRIMARY KEY("country","version")
);
