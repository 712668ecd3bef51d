BEGIN;
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--
DROP INDEX django_admin_log_object_idx;
--
-- Create index reviews_reported_filters_idx on field(s) rating, recommend, status of model review
--
DROP INDEX IF EXISTS "reviews_reported_filters_idx";
--
-- Remove index reviews_reported_filters_idx from review
--
CREATE INDEX "reviews_reported_filters_idx" ON "reviews" ("rating", "recommend") WHERE "reported";
--
-- Create constraint reviews_unpublished_hidden on model review
--
ALTER TABLE "reviews" DROP CONSTRAINT "reviews_unpublished_hidden";
--
-- Create constraint reviews_status_valid on model review
--
ALTER TABLE "reviews" DROP CONSTRAINT "reviews_status_valid";
--
-- Create index reviews_body_digest_idx on Func(F(body), function=md5) on model review
--
DROP INDEX IF EXISTS "reviews_body_digest_idx";
--
-- Create index reviews_pending_queue_idx on OrderBy(F(date), descending=True), OrderBy(F(id), descending=True) on model review
--
DROP INDEX IF EXISTS "reviews_pending_queue_idx";
--
-- Create index reviews_product_verified_idx on F(product_id), OrderBy(F(date), descending=True), OrderBy(F(id), descending=True) on model review
--
DROP INDEX IF EXISTS "reviews_product_verified_idx";
--
-- Add field verified_purchase to review
--
ALTER TABLE "reviews" DROP COLUMN "verified_purchase" CASCADE;
--
-- Add field status to review
--
ALTER TABLE "reviews" DROP COLUMN "status" CASCADE;
--
-- Add field screen_reasons to review
--
ALTER TABLE "reviews" DROP COLUMN "screen_reasons" CASCADE;
COMMIT;
