CREATE TABLE IF NOT EXISTS "risk_criterion_errors" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"criterion_id" uuid NOT NULL,
	"country" text NOT NULL,
	"failures" bigint DEFAULT 0 NOT NULL,
	"budget_exceeded" bigint DEFAULT 0 NOT NULL,
	"first_at" timestamp (3) with time zone NOT NULL,
	"last_at" timestamp (3) with time zone NOT NULL,
	"last_code" text NOT NULL,
	"last_error" text NOT NULL,
	"last_reference" text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "risk_criterion_errors_criterion_idx" ON "risk_criterion_errors" USING btree ("criterion_id");
