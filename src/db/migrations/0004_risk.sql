CREATE TABLE "channel_overrides" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"assessment_id" uuid NOT NULL,
	"declaration_id" uuid NOT NULL,
	"from_channel" text NOT NULL,
	"to_channel" text NOT NULL,
	"reason_code" text NOT NULL,
	"reason" text NOT NULL,
	"by_id" text NOT NULL,
	"by_name" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consignment_marks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"manifest_id" uuid NOT NULL,
	"manifest_reference" text NOT NULL,
	"manifest_version" integer NOT NULL,
	"transport_document" text NOT NULL,
	"action" text NOT NULL,
	"channel" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"version_ids" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"declaration_id" uuid
);
--> statement-breakpoint
CREATE TABLE "control_criteria" (
	"control_id" uuid NOT NULL,
	"criterion_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	CONSTRAINT "control_criteria_control_id_version_id_pk" PRIMARY KEY("control_id","version_id")
);
--> statement-breakpoint
CREATE TABLE "control_results" (
	"id" uuid PRIMARY KEY NOT NULL,
	"control_id" uuid NOT NULL,
	"country" text NOT NULL,
	"declaration_id" uuid NOT NULL,
	"office" text NOT NULL,
	"channel" text NOT NULL,
	"outcome" text NOT NULL,
	"hit" boolean NOT NULL,
	"discrepancies" jsonb NOT NULL,
	"extra_duties" double precision NOT NULL,
	"extra_taxes" double precision NOT NULL,
	"currency" text NOT NULL,
	"goods_seized" boolean NOT NULL,
	"seizure_description" text,
	"notes" text,
	"officer_id" text NOT NULL,
	"officer_name" text NOT NULL,
	"trader_tin" text,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "control_results_control_uq" UNIQUE("control_id")
);
--> statement-breakpoint
CREATE TABLE "controls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"assessment_id" uuid NOT NULL,
	"declaration_id" uuid NOT NULL,
	"declaration_version" integer NOT NULL,
	"office" text NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"random_selected" boolean NOT NULL,
	"risk_level" text NOT NULL,
	"score" double precision NOT NULL,
	"trader_tin" text,
	"officer_id" uuid,
	"officer_name" text,
	"assignments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "controls_assessment_uq" UNIQUE("assessment_id")
);
--> statement-breakpoint
CREATE TABLE "duty_roster" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"office" text NOT NULL,
	"officer_id" uuid NOT NULL,
	"officer_name" text NOT NULL,
	"from_at" timestamp (3) with time zone NOT NULL,
	"to_at" timestamp (3) with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_criteria" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"regional" boolean DEFAULT false NOT NULL,
	"active_version_id" uuid,
	"pending_version_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_criterion_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"criterion_id" uuid NOT NULL,
	"country" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"reason" text NOT NULL,
	"expression" text NOT NULL,
	"scope" jsonb NOT NULL,
	"weight" double precision NOT NULL,
	"forced_channel" text,
	"manifest_action" text,
	"regional" boolean DEFAULT false NOT NULL,
	"valid_from" timestamp (3) with time zone NOT NULL,
	"valid_to" timestamp (3) with time zone,
	"author_id" text NOT NULL,
	"author_name" text NOT NULL,
	"submitted_at" timestamp (3) with time zone,
	"decided_by" text,
	"decided_by_name" text,
	"decided_at" timestamp (3) with time zone,
	"decision_note" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "risk_criterion_versions_uq" UNIQUE("criterion_id","version")
);
--> statement-breakpoint
CREATE TABLE "risk_office_day" (
	"country" text NOT NULL,
	"office" text NOT NULL,
	"day" text NOT NULL,
	"decisions" integer NOT NULL,
	"reds" integer NOT NULL,
	"yellows" integer NOT NULL,
	"demoted" integer NOT NULL,
	CONSTRAINT "risk_office_day_country_office_day_pk" PRIMARY KEY("country","office","day")
);
--> statement-breakpoint
CREATE TABLE "risk_rulesets" (
	"id" text PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"version_ids" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_trader_history" (
	"country" text NOT NULL,
	"tin" text NOT NULL,
	"declarations" integer NOT NULL,
	"controls" integer NOT NULL,
	"hits" integer NOT NULL,
	"seizures" integer NOT NULL,
	"first_seen" timestamp (3) with time zone NOT NULL,
	"last_seen" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "risk_trader_history_country_tin_pk" PRIMARY KEY("country","tin")
);
--> statement-breakpoint
ALTER TABLE "channel_overrides" ADD CONSTRAINT "channel_overrides_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consignment_marks" ADD CONSTRAINT "consignment_marks_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control_criteria" ADD CONSTRAINT "control_criteria_control_id_controls_id_fk" FOREIGN KEY ("control_id") REFERENCES "public"."controls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control_results" ADD CONSTRAINT "control_results_control_id_controls_id_fk" FOREIGN KEY ("control_id") REFERENCES "public"."controls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "controls" ADD CONSTRAINT "controls_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "controls" ADD CONSTRAINT "controls_declaration_id_declarations_id_fk" FOREIGN KEY ("declaration_id") REFERENCES "public"."declarations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_roster" ADD CONSTRAINT "duty_roster_officer_id_users_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_criterion_versions" ADD CONSTRAINT "risk_criterion_versions_criterion_id_risk_criteria_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."risk_criteria"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_overrides_assessment_idx" ON "channel_overrides" USING btree ("assessment_id");--> statement-breakpoint
CREATE INDEX "consignment_marks_doc_idx" ON "consignment_marks" USING btree ("country","transport_document");--> statement-breakpoint
CREATE INDEX "consignment_marks_manifest_idx" ON "consignment_marks" USING btree ("manifest_id");--> statement-breakpoint
CREATE INDEX "control_criteria_criterion_idx" ON "control_criteria" USING btree ("criterion_id");--> statement-breakpoint
CREATE INDEX "control_results_country_idx" ON "control_results" USING btree ("country","recorded_at");--> statement-breakpoint
CREATE INDEX "control_results_trader_idx" ON "control_results" USING btree ("country","trader_tin");--> statement-breakpoint
CREATE INDEX "controls_office_idx" ON "controls" USING btree ("country","office","status");--> statement-breakpoint
CREATE INDEX "controls_officer_idx" ON "controls" USING btree ("officer_id","status");--> statement-breakpoint
CREATE INDEX "controls_declaration_idx" ON "controls" USING btree ("declaration_id");--> statement-breakpoint
CREATE INDEX "duty_roster_office_idx" ON "duty_roster" USING btree ("country","office","from_at");--> statement-breakpoint
CREATE INDEX "risk_criteria_country_idx" ON "risk_criteria" USING btree ("country","status");--> statement-breakpoint
CREATE INDEX "risk_criterion_versions_country_idx" ON "risk_criterion_versions" USING btree ("country","status");