CREATE TABLE "pca_auditors" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"hours_per_month" double precision NOT NULL,
	"active" boolean NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "pca_auditors_user_uq" UNIQUE("country","user_id")
);
--> statement-breakpoint
CREATE TABLE "pca_case_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor" text NOT NULL,
	"kind" text NOT NULL,
	"detail" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pca_cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"reference" text NOT NULL,
	"plan_id" uuid,
	"plan_item_id" uuid,
	"source" text NOT NULL,
	"trader_tin" text NOT NULL,
	"trader_name" text NOT NULL,
	"scope" jsonb NOT NULL,
	"status" text NOT NULL,
	"auditor_user_id" text NOT NULL,
	"auditor_name" text NOT NULL,
	"assignment" jsonb NOT NULL,
	"opened_by" text NOT NULL,
	"opened_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"hours_planned" double precision NOT NULL,
	"hours_spent" double precision NOT NULL,
	"shared_with" jsonb NOT NULL,
	"closed_at" timestamp (3) with time zone,
	"closure" jsonb,
	CONSTRAINT "pca_cases_reference_uq" UNIQUE("country","reference")
);
--> statement-breakpoint
CREATE TABLE "pca_conflicts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"auditor_user_id" text NOT NULL,
	"auditor_name" text NOT NULL,
	"trader_tin" text NOT NULL,
	"reason" text NOT NULL,
	"declared_by" text NOT NULL,
	"declared_at" timestamp (3) with time zone NOT NULL,
	"ended_at" timestamp (3) with time zone,
	"end_reason" text
);
--> statement-breakpoint
CREATE TABLE "pca_document_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"description" text NOT NULL,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "pca_findings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"country" text NOT NULL,
	"trader_tin" text NOT NULL,
	"declaration_id" text NOT NULL,
	"declaration_reference" text NOT NULL,
	"line" integer NOT NULL,
	"kind" text NOT NULL,
	"description" text NOT NULL,
	"declared" text,
	"established" text,
	"extra_duties" double precision NOT NULL,
	"extra_taxes" double precision NOT NULL,
	"penalties" double precision NOT NULL,
	"currency" text NOT NULL,
	"legal_basis" text NOT NULL,
	"release_channel" text,
	"found_at" timestamp (3) with time zone NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pca_plan_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"country" text NOT NULL,
	"rank" integer NOT NULL,
	"trader_tin" text NOT NULL,
	"trader_name" text NOT NULL,
	"period_from" timestamp (3) with time zone NOT NULL,
	"period_to" timestamp (3) with time zone NOT NULL,
	"declaration_ids" jsonb NOT NULL,
	"source" text NOT NULL,
	"expected_revenue" double precision NOT NULL,
	"estimated_recovery" double precision NOT NULL,
	"hours" double precision NOT NULL,
	"reasons" jsonb NOT NULL,
	"selected" boolean NOT NULL,
	"draw" double precision
);
--> statement-breakpoint
CREATE TABLE "pca_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"month" text NOT NULL,
	"capacity_hours" double precision NOT NULL,
	"random_share" double precision NOT NULL,
	"seed" text NOT NULL,
	"status" text NOT NULL,
	"summary" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_by_name" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"decided_by" text,
	"decided_by_name" text,
	"decided_at" timestamp (3) with time zone,
	"decision_note" text
);
--> statement-breakpoint
CREATE TABLE "pca_sensitive_goods" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"hs" text NOT NULL,
	"reason" text NOT NULL,
	"note" text NOT NULL,
	"valid_from" text NOT NULL,
	"valid_to" text,
	"status" text NOT NULL,
	"proposed_by" text NOT NULL,
	"proposed_by_name" text NOT NULL,
	"proposed_at" timestamp (3) with time zone NOT NULL,
	"decided_by" text,
	"decided_by_name" text,
	"decided_at" timestamp (3) with time zone,
	"decision_note" text,
	"withdrawal_by" text,
	"withdrawal_by_name" text,
	"withdrawal_reason" text
);
--> statement-breakpoint
CREATE TABLE "pca_tax_mismatches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"tin" text NOT NULL,
	"period" text NOT NULL,
	"kind" text NOT NULL,
	"customs_imports_usd" double precision NOT NULL,
	"tax_imports_usd" double precision,
	"gap_usd" double precision NOT NULL,
	"evidence" jsonb NOT NULL,
	"detected_at" timestamp (3) with time zone NOT NULL,
	"run_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pca_tax_returns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"tin" text NOT NULL,
	"period" text NOT NULL,
	"declared_imports" double precision NOT NULL,
	"purchases" double precision NOT NULL,
	"sales" double precision NOT NULL,
	"currency" text NOT NULL,
	"batch_id" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "pca_tax_returns_uq" UNIQUE("country","tin","period")
);
--> statement-breakpoint
ALTER TABLE "pca_case_events" ADD CONSTRAINT "pca_case_events_case_id_pca_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."pca_cases"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "pca_case_events_case_idx" ON "pca_case_events" USING btree ("case_id","at");
--> statement-breakpoint
CREATE INDEX "pca_cases_trader_idx" ON "pca_cases" USING btree ("country","trader_tin");
--> statement-breakpoint
CREATE INDEX "pca_conflicts_trader_idx" ON "pca_conflicts" USING btree ("country","trader_tin");
--> statement-breakpoint
ALTER TABLE "pca_document_requests" ADD CONSTRAINT "pca_document_requests_case_id_pca_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."pca_cases"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "pca_document_requests_case_idx" ON "pca_document_requests" USING btree ("case_id");
--> statement-breakpoint
ALTER TABLE "pca_findings" ADD CONSTRAINT "pca_findings_case_id_pca_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."pca_cases"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "pca_findings_case_idx" ON "pca_findings" USING btree ("case_id");
--> statement-breakpoint
CREATE INDEX "pca_findings_country_found_idx" ON "pca_findings" USING btree ("country","found_at");
--> statement-breakpoint
CREATE INDEX "pca_findings_trader_idx" ON "pca_findings" USING btree ("country","trader_tin");
--> statement-breakpoint
ALTER TABLE "pca_plan_items" ADD CONSTRAINT "pca_plan_items_plan_id_pca_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."pca_plans"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "pca_plan_items_plan_idx" ON "pca_plan_items" USING btree ("plan_id","rank");
--> statement-breakpoint
CREATE INDEX "pca_plans_country_month_idx" ON "pca_plans" USING btree ("country","month");
--> statement-breakpoint
CREATE INDEX "pca_sensitive_goods_country_idx" ON "pca_sensitive_goods" USING btree ("country","status");
--> statement-breakpoint
CREATE INDEX "pca_tax_mismatches_country_idx" ON "pca_tax_mismatches" USING btree ("country","period");
--> statement-breakpoint
CREATE INDEX "pca_tax_mismatches_tin_idx" ON "pca_tax_mismatches" USING btree ("country","tin");
