-- Intake (src/flows/intake.ts) reads the consignments a declaration covers by transport document
-- alone (the primary key leads with manifest_id), and the declaration screens read each
-- declaration's latest assessment (a lateral subquery ordered by decided_at desc, id desc).
CREATE INDEX IF NOT EXISTS "consignments_transport_document_idx" ON "consignments" USING btree ("transport_document");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "assessments_declaration_latest_idx" ON "assessments" USING btree ("declaration_id","decided_at" DESC,"id" DESC);
