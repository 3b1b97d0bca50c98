CREATE TABLE "intelligence_models" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"proposed_role" text,
	"window_from" timestamp (3) with time zone NOT NULL,
	"window_to" timestamp (3) with time zone NOT NULL,
	"holdout_from" timestamp (3) with time zone NOT NULL,
	"features" jsonb NOT NULL,
	"params" jsonb NOT NULL,
	"metrics" jsonb NOT NULL,
	"bundle" jsonb NOT NULL,
	"trained_by" text NOT NULL,
	"trained_at" timestamp (3) with time zone NOT NULL,
	"proposed_by" text,
	"proposed_by_name" text,
	"proposed_at" timestamp (3) with time zone,
	"decided_by" text,
	"decided_by_name" text,
	"decided_at" timestamp (3) with time zone,
	"decision_note" text,
	"retired_at" timestamp (3) with time zone,
	CONSTRAINT "intelligence_models_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "valuation_reference_prices" (
	"country" text NOT NULL,
	"hs6" text NOT NULL,
	"origin" text NOT NULL,
	"unit" text NOT NULL,
	"n" integer NOT NULL,
	"q1" double precision NOT NULL,
	"median" double precision NOT NULL,
	"q3" double precision NOT NULL,
	"window_from" timestamp (3) with time zone NOT NULL,
	"window_to" timestamp (3) with time zone NOT NULL,
	"refreshed_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "valuation_reference_prices_country_hs6_origin_unit_pk" PRIMARY KEY("country","hs6","origin","unit")
);
--> statement-breakpoint
CREATE INDEX "intelligence_models_country_idx" ON "intelligence_models" USING btree ("country","status");