BEGIN;
--
-- Add field screen_reasons to review
--
ALTER TABLE "reviews" ADD COLUMN "screen_reasons" text[] DEFAULT '{}'::text[] NOT NULL;
--
-- Add field status to review
--
ALTER TABLE "reviews" ADD COLUMN "status" text DEFAULT 'published' NOT NULL;
--
-- Add field verified_purchase to review
--
ALTER TABLE "reviews" ADD COLUMN "verified_purchase" boolean DEFAULT false NOT NULL;
--
-- Create index reviews_product_verified_idx on F(product_id), OrderBy(F(date), descending=True), OrderBy(F(id), descending=True) on model review
--
CREATE INDEX "reviews_product_verified_idx" ON "reviews" ("product_id", "date" DESC, "id" DESC) WHERE (NOT "reported" AND "verified_purchase");
--
-- Create index reviews_pending_queue_idx on OrderBy(F(date), descending=True), OrderBy(F(id), descending=True) on model review
--
CREATE INDEX "reviews_pending_queue_idx" ON "reviews" ("date" DESC, "id" DESC) WHERE "status" = 'pending';
--
-- Create index reviews_body_digest_idx on Func(F(body), function=md5) on model review
--
CREATE INDEX "reviews_body_digest_idx" ON "reviews" USING hash ((md5("body")));
--
-- Create constraint reviews_status_valid on model review
--
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_status_valid" CHECK ("status" IN ('pending', 'published', 'rejected'));
--
-- Create constraint reviews_unpublished_hidden on model review
--
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_unpublished_hidden" CHECK (("status" = 'published' OR "reported"));
--
-- Remove index reviews_reported_filters_idx from review
--
DROP INDEX IF EXISTS "reviews_reported_filters_idx";
--
-- Create index reviews_reported_filters_idx on field(s) rating, recommend, status of model review
--
CREATE INDEX "reviews_reported_filters_idx" ON "reviews" ("rating", "recommend", "status") WHERE "reported";
--
-- Raw SQL operation
--
CREATE INDEX django_admin_log_object_idx ON django_admin_log (content_type_id, object_id, action_time DESC);
--
-- Raw SQL operation
--
ANALYZE reviews;
COMMIT;
