BEGIN;
--
-- Create model ReviewPhoto
--
DROP TABLE "reviews_photos" CASCADE;
--
-- Create model CharacteristicReview
--
DROP TABLE "characteristic_reviews" CASCADE;
--
-- Create model Review
--
DROP TABLE "reviews" CASCADE;
--
-- Create model Characteristic
--
DROP TABLE "characteristics" CASCADE;
--
-- Raw SQL operation
--
DROP FUNCTION review_relevance(integer, timestamptz);
COMMIT;
