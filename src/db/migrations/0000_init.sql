CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"role" text NOT NULL,
	"country" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor" text NOT NULL,
	"actor_kind" text NOT NULL,
	"country" text,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"country" text NOT NULL,
	"password_hash" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "consignments" (
	"manifest_id" uuid NOT NULL,
	"transport_document" text NOT NULL,
	"shipper" text NOT NULL,
	"consignee" text NOT NULL,
	"consignee_tin" text,
	"description" text NOT NULL,
	"hs_code" text,
	"packages" integer NOT NULL,
	"gross_mass_kg" double precision NOT NULL,
	"containers" jsonb NOT NULL,
	CONSTRAINT "consignments_manifest_id_transport_document_pk" PRIMARY KEY("manifest_id","transport_document")
);
--> statement-breakpoint
CREATE TABLE "declaration_items" (
	"declaration_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"hs_code" text NOT NULL,
	"origin" text NOT NULL,
	"quantity" double precision NOT NULL,
	"unit" text NOT NULL,
	"net_mass_kg" double precision NOT NULL,
	"gross_mass_kg" double precision NOT NULL,
	"customs_value" double precision NOT NULL,
	"currency" text NOT NULL,
	"duty_rate" double precision,
	CONSTRAINT "declaration_items_declaration_id_line_pk" PRIMARY KEY("declaration_id","line")
);
--> statement-breakpoint
CREATE TABLE "declaration_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"declaration_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "declaration_versions_uq" UNIQUE("declaration_id","version")
);
--> statement-breakpoint
CREATE TABLE "declarations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"reference" text NOT NULL,
	"type" text NOT NULL,
	"office" text NOT NULL,
	"lodged_at" timestamp (3) with time zone NOT NULL,
	"declarant_tin" text NOT NULL,
	"importer_tin" text,
	"exporter_tin" text,
	"item_count" integer NOT NULL,
	"total_value" double precision NOT NULL,
	"currency" text NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "declarations_country_reference_uq" UNIQUE("country","reference")
);
--> statement-breakpoint
CREATE TABLE "import_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"format" text NOT NULL,
	"source" text NOT NULL,
	"actor" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone,
	"accepted" integer DEFAULT 0 NOT NULL,
	"amended" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"rejections" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manifest_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"manifest_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "manifest_versions_uq" UNIQUE("manifest_id","version")
);
--> statement-breakpoint
CREATE TABLE "manifests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"reference" text NOT NULL,
	"office" text NOT NULL,
	"mode" text NOT NULL,
	"conveyance" text NOT NULL,
	"carrier" text NOT NULL,
	"arrival_at" timestamp (3) with time zone NOT NULL,
	"consignment_count" integer NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "manifests_country_reference_uq" UNIQUE("country","reference")
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"declaration_id" uuid NOT NULL,
	"declaration_version" integer NOT NULL,
	"channel" text NOT NULL,
	"risk_level" text NOT NULL,
	"score" double precision NOT NULL,
	"reasons" jsonb NOT NULL,
	"engine" text NOT NULL,
	"inputs" jsonb NOT NULL,
	"decided_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sim_ground_truth" (
	"country" text NOT NULL,
	"kind" text NOT NULL,
	"reference" text NOT NULL,
	"fraud_type" text,
	"revenue_at_stake" double precision NOT NULL,
	"details" jsonb NOT NULL,
	CONSTRAINT "sim_ground_truth_country_kind_reference_pk" PRIMARY KEY("country","kind","reference")
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consignments" ADD CONSTRAINT "consignments_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declaration_items" ADD CONSTRAINT "declaration_items_declaration_id_declarations_id_fk" FOREIGN KEY ("declaration_id") REFERENCES "public"."declarations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declaration_versions" ADD CONSTRAINT "declaration_versions_declaration_id_declarations_id_fk" FOREIGN KEY ("declaration_id") REFERENCES "public"."declarations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_versions" ADD CONSTRAINT "manifest_versions_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_declaration_id_declarations_id_fk" FOREIGN KEY ("declaration_id") REFERENCES "public"."declarations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "declaration_items_hs_idx" ON "declaration_items" USING btree ("hs_code");--> statement-breakpoint
CREATE INDEX "declarations_country_lodged_idx" ON "declarations" USING btree ("country","lodged_at");--> statement-breakpoint
CREATE INDEX "declarations_importer_idx" ON "declarations" USING btree ("importer_tin");--> statement-breakpoint
CREATE INDEX "manifests_country_arrival_idx" ON "manifests" USING btree ("country","arrival_at");--> statement-breakpoint
CREATE INDEX "assessments_declaration_idx" ON "assessments" USING btree ("declaration_id");--> statement-breakpoint
CREATE INDEX "assessments_country_decided_idx" ON "assessments" USING btree ("country","decided_at");