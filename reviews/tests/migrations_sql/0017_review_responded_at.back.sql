BEGIN;
--
-- Add field responded_at to review
--
ALTER TABLE "reviews" DROP COLUMN "responded_at" CASCADE;
COMMIT;
