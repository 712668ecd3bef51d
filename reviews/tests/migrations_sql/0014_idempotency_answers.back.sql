BEGIN;
--
-- Add field body to idempotencykey
--
ALTER TABLE "idempotency_keys" DROP COLUMN "body" CASCADE;
COMMIT;
