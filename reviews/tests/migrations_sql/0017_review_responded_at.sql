BEGIN;
--
-- Add field responded_at to review
--
ALTER TABLE "reviews" ADD COLUMN "responded_at" timestamp with time zone NULL;
COMMIT;
