BEGIN;
--
-- Add field shopper to review
--
ALTER TABLE "reviews" ADD COLUMN "shopper" text NULL;
--
-- Create constraint reviews_one_per_shopper_and_product on model review
--
CREATE UNIQUE INDEX "reviews_one_per_shopper_and_product" ON "reviews" ("product_id", "shopper") WHERE "shopper" IS NOT NULL;
COMMIT;
