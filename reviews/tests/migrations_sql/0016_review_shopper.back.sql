BEGIN;
--
-- Create constraint reviews_one_per_shopper_and_product on model review
--
DROP INDEX IF EXISTS "reviews_one_per_shopper_and_product";
--
-- Add field shopper to review
--
ALTER TABLE "reviews" DROP COLUMN "shopper" CASCADE;
COMMIT;
