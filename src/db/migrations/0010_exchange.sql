CREATE TABLE "exchange_own_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"administration" text NOT NULL,
	"public_key" text NOT NULL,
	"private_key" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"retired_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE INDEX "exchange_own_keys_admin_idx" ON "exchange_own_keys" USING btree ("administration");--> statement-breakpoint
CREATE UNIQUE INDEX "exchange_own_keys_active_idx" ON "exchange_own_keys" USING btree ("administration") WHERE "retired_at" IS NULL AND "revoked_at" IS NULL;--> statement-breakpoint
CREATE TABLE "exchange_partner_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"administration" text NOT NULL,
	"public_key" text NOT NULL,
	"origin" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"retired_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	"revocation_reason" text,
	"registered_by" text NOT NULL,
	"registered_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "exchange_partner_keys_admin_idx" ON "exchange_partner_keys" USING btree ("administration");--> statement-breakpoint
CREATE TABLE "exchange_partners" (
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"kinds" text[] NOT NULL,
	"version" integer NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "exchange_partners_recipient_sender_pk" PRIMARY KEY("recipient","sender")
);
--> statement-breakpoint
CREATE TABLE "exchange_sharing_rules" (
	"sender" text NOT NULL,
	"version" integer NOT NULL,
	"rules" jsonb NOT NULL,
	"note" text,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "exchange_sharing_rules_sender_version_pk" PRIMARY KEY("sender","version")
);
--> statement-breakpoint
CREATE TABLE "exchange_outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"sender" text NOT NULL,
	"recipients" text[] NOT NULL,
	"kind" text NOT NULL,
	"schema_version" integer NOT NULL,
	"subject" text,
	"payload" jsonb NOT NULL,
	"redacted" text[] NOT NULL,
	"sent_at" timestamp (3) with time zone NOT NULL,
	"key_id" text,
	"signature" text
);
--> statement-breakpoint
CREATE INDEX "exchange_outbox_seq_idx" ON "exchange_outbox" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "exchange_outbox_sender_idx" ON "exchange_outbox" USING btree ("sender","kind");--> statement-breakpoint
CREATE TABLE "exchange_deliveries" (
	"message_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"queued_at" timestamp (3) with time zone NOT NULL,
	"sent_at" timestamp (3) with time zone,
	"answered_at" timestamp (3) with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone,
	"last_error" text,
	CONSTRAINT "exchange_deliveries_message_id_recipient_pk" PRIMARY KEY("message_id","recipient")
);
--> statement-breakpoint
CREATE INDEX "exchange_deliveries_state_idx" ON "exchange_deliveries" USING btree ("state","recipient");--> statement-breakpoint
CREATE INDEX "exchange_deliveries_queued_idx" ON "exchange_deliveries" USING btree ("message_id") WHERE "state" = 'queued';--> statement-breakpoint
CREATE TABLE "exchange_inbox" (
	"message_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text,
	"sent_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"applied_at" timestamp (3) with time zone NOT NULL,
	"envelope" jsonb NOT NULL,
	CONSTRAINT "exchange_inbox_message_id_recipient_pk" PRIMARY KEY("message_id","recipient")
);
--> statement-breakpoint
CREATE INDEX "exchange_inbox_received_idx" ON "exchange_inbox" USING btree ("recipient","received_at");--> statement-breakpoint
CREATE TABLE "exchange_dead_letters" (
	"id" uuid PRIMARY KEY NOT NULL,
	"message_id" text,
	"recipient" text NOT NULL,
	"sender" text,
	"kind" text,
	"code" text NOT NULL,
	"reason" text NOT NULL,
	"raw" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"status" text NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"resolved_by" text,
	"examinations" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "exchange_dead_letters_status_idx" ON "exchange_dead_letters" USING btree ("recipient","status","received_at");--> statement-breakpoint
CREATE INDEX "exchange_dead_letters_msg_idx" ON "exchange_dead_letters" USING btree ("message_id");
--> statement-breakpoint
CREATE TABLE "exchange_receipts" (
	"message_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"state" text NOT NULL,
	"code" text,
	"reason" text,
	"digest" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"receipt_id" uuid,
	CONSTRAINT "exchange_receipts_message_id_recipient_state_pk" PRIMARY KEY("message_id","recipient","state")
);
--> statement-breakpoint
CREATE INDEX "exchange_receipts_owed_idx" ON "exchange_receipts" USING btree ("recipient","sender") WHERE receipt_id is null;
