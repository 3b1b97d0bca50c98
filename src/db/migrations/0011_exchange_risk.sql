CREATE TABLE "coop_rifs" (
	"id" uuid NOT NULL,
	"country" text NOT NULL,
	"direction" text NOT NULL,
	"sender" text NOT NULL,
	"reference" text NOT NULL,
	"title" text NOT NULL,
	"risk_type" text NOT NULL,
	"subject" jsonb NOT NULL,
	"indicators" jsonb NOT NULL,
	"recommended_action" text NOT NULL,
	"valid_from" timestamp (3) with time zone NOT NULL,
	"valid_to" timestamp (3) with time zone NOT NULL,
	"handling" text NOT NULL,
	"contact" text,
	"feedback_requested" boolean NOT NULL,
	"recipients" text[] NOT NULL,
	"delivered_to" text[],
	"redacted" jsonb,
	"message_id" text,
	"status" text NOT NULL,
	"author" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"decision" text,
	"decision_reason" text,
	"criterion_id" uuid,
	"answered_by" text,
	"answered_at" timestamp (3) with time zone,
	"answer_message_id" text,
	"reported_criterion_status" text,
	CONSTRAINT "coop_rifs_id_country_pk" PRIMARY KEY("id","country")
);
--> statement-breakpoint
CREATE TABLE "coop_rif_answers" (
	"rif_id" uuid NOT NULL,
	"country" text NOT NULL,
	"partner" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"criterion_status" text,
	"criterion_name" text,
	"answered_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"message_id" text NOT NULL,
	CONSTRAINT "coop_rif_answers_rif_id_country_partner_pk" PRIMARY KEY("rif_id","country","partner")
);
--> statement-breakpoint
CREATE TABLE "coop_proposals" (
	"id" uuid NOT NULL,
	"country" text NOT NULL,
	"direction" text NOT NULL,
	"sender" text NOT NULL,
	"reference" text NOT NULL,
	"name" text NOT NULL,
	"rationale" text NOT NULL,
	"expression" text NOT NULL,
	"scope" jsonb NOT NULL,
	"weight" double precision NOT NULL,
	"forced_channel" text,
	"valid_to" timestamp (3) with time zone,
	"recipients" text[] NOT NULL,
	"delivered_to" text[],
	"redacted" jsonb,
	"message_id" text,
	"status" text NOT NULL,
	"author" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"decision" text,
	"decision_reason" text,
	"adopted_scope" jsonb,
	"criterion_id" uuid,
	"answered_by" text,
	"answered_at" timestamp (3) with time zone,
	"hits_reported_until" timestamp (3) with time zone,
	CONSTRAINT "coop_proposals_id_country_direction_pk" PRIMARY KEY("id","country","direction")
);
--> statement-breakpoint
CREATE TABLE "coop_proposal_answers" (
	"proposal_id" uuid NOT NULL,
	"country" text NOT NULL,
	"member" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"scope" jsonb,
	"criterion_status" text,
	"answered_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"message_id" text NOT NULL,
	CONSTRAINT "coop_proposal_answers_proposal_id_country_member_pk" PRIMARY KEY("proposal_id","country","member")
);
--> statement-breakpoint
CREATE TABLE "coop_proposal_hits" (
	"proposal_id" uuid NOT NULL,
	"country" text NOT NULL,
	"member" text NOT NULL,
	"period_from" timestamp (3) with time zone NOT NULL,
	"period_to" timestamp (3) with time zone NOT NULL,
	"evaluated" integer NOT NULL,
	"hits" integer NOT NULL,
	"controls" integer NOT NULL,
	"controls_with_findings" integer NOT NULL,
	"criterion_status" text,
	"reported_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"message_id" text NOT NULL,
	CONSTRAINT "coop_proposal_hits_proposal_id_country_member_period_from_period_to_pk" PRIMARY KEY("proposal_id","country","member","period_from","period_to")
);
--> statement-breakpoint
CREATE TABLE "coop_intel" (
	"id" uuid NOT NULL,
	"country" text NOT NULL,
	"direction" text NOT NULL,
	"sender" text NOT NULL,
	"kind" text NOT NULL,
	"office" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"report" jsonb NOT NULL,
	"recipients" text[] NOT NULL,
	"delivered_to" text[],
	"redacted" jsonb,
	"message_id" text,
	"control_id" uuid,
	"author" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"watch_criterion_id" uuid,
	CONSTRAINT "coop_intel_id_country_pk" PRIMARY KEY("id","country")
);
--> statement-breakpoint
CREATE INDEX "coop_rifs_country_idx" ON "coop_rifs" USING btree ("country","direction","created_at");--> statement-breakpoint
CREATE INDEX "coop_proposals_country_idx" ON "coop_proposals" USING btree ("country","direction","created_at");--> statement-breakpoint
CREATE INDEX "coop_intel_country_idx" ON "coop_intel" USING btree ("country","direction","occurred_at");--> statement-breakpoint
CREATE INDEX "coop_intel_control_idx" ON "coop_intel" USING btree ("control_id");
