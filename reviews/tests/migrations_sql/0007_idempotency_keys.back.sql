BEGIN;
--
-- Create model IdempotencyKey
--
DROP TABLE "idempotency_keys" CASCADE;
COMMIT;
