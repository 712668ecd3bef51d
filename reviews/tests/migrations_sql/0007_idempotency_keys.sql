BEGIN;
--
-- Create model IdempotencyKey
--
CREATE TABLE "idempotency_keys" ("key" text NOT NULL PRIMARY KEY, "fingerprint" text NOT NULL, "status" smallint NOT NULL, "location" text NULL, "created_at" timestamp with time zone NOT NULL);
CREATE INDEX "idempotency_keys_key_3342413b_like" ON "idempotency_keys" ("key" text_pattern_ops);
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" ("created_at");
COMMIT;
