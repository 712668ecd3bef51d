BEGIN;
--
-- Add field awaiting_moderator to review
--
ALTER TABLE "reviews" ADD COLUMN "awaiting_moderator" boolean DEFAULT false NOT NULL;
--
-- Add field cleared to review
--
ALTER TABLE "reviews" ADD COLUMN "cleared" boolean DEFAULT false NOT NULL;
--
-- Add field hidden_by_reports_at to review
--
ALTER TABLE "reviews" ADD COLUMN "hidden_by_reports_at" timestamp with time zone NULL;
--
-- Create index reviews_report_hidden_idx on field(s) product_id, hidden_by_reports_at of model review
--
CREATE INDEX "reviews_report_hidden_idx" ON "reviews" ("product_id", "hidden_by_reports_at") WHERE "hidden_by_reports_at" IS NOT NULL;
--
-- Create index reviews_awaiting_queue_idx on OrderBy(F(date), descending=True), OrderBy(F(id), descending=True) on model review
--
CREATE INDEX "reviews_awaiting_queue_idx" ON "reviews" ("date" DESC, "id" DESC) WHERE "awaiting_moderator";
COMMIT;
