BEGIN;
--
-- Create model ReviewVote
--
DROP TABLE "review_votes" CASCADE;
COMMIT;
