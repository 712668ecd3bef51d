BEGIN;
--
-- Create model ReviewReport
--
CREATE TABLE "review_reports" ("reporter" text NOT NULL, "reason" text NOT NULL, "note" text NOT NULL, "created_at" timestamp with time zone NOT NULL, "review_id" integer NOT NULL, CONSTRAINT "review_reports_reason_valid" CHECK ("reason" IN ('spam', 'offensive', 'off_topic', 'fake', 'other', 'unspecified')), PRIMARY KEY ("review_id", "reporter"));
ALTER TABLE "review_reports" ADD CONSTRAINT "review_reports_review_id_593e03ee_fk_reviews_id" FOREIGN KEY ("review_id") REFERENCES "reviews" ("id") DEFERRABLE INITIALLY DEFERRED;
COMMIT;
