BEGIN;
--
-- Create model ReviewReport
--
DROP TABLE "review_reports" CASCADE;
COMMIT;
