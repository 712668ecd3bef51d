BEGIN;
--
-- Add field body to idempotencykey
--
ALTER TABLE "idempotency_keys" ADD COLUMN "body" text NULL;
COMMIT;
