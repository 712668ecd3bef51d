BEGIN;
--
-- Create model ReviewVote
--
CREATE TABLE "review_votes" ("voter" text NOT NULL, "created_at" timestamp with time zone NOT NULL, "review_id" integer NOT NULL, PRIMARY KEY ("review_id", "voter"));
ALTER TABLE "review_votes" ADD CONSTRAINT "review_votes_review_id_8b42cc78_fk_reviews_id" FOREIGN KEY ("review_id") REFERENCES "reviews" ("id") DEFERRABLE INITIALLY DEFERRED;
COMMIT;
