BEGIN;
--
-- Create index reviews_awaiting_queue_idx on OrderBy(F(date), descending=True), OrderBy(F(id), descending=True) on model review
--
DROP INDEX IF EXISTS "reviews_awaiting_queue_idx";
--
-- Create index reviews_report_hidden_idx on field(s) product_id, hidden_by_reports_at of model review
--
DROP INDEX IF EXISTS "reviews_report_hidden_idx";
--
-- Add field hidden_by_reports_at to review
--
ALTER TABLE "reviews" DROP COLUMN "hidden_by_reports_at" CASCADE;
--
-- Add field cleared to review
--
ALTER TABLE "reviews" DROP COLUMN "cleared" CASCADE;
--
-- Add field awaiting_moderator to review
--
ALTER TABLE "reviews" DROP COLUMN "awaiting_moderator" CASCADE;
COMMIT;
