BEGIN;
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_version_delete ON characteristic_reviews; DROP FUNCTION characteristic_reviews_version_delete();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_version_update ON characteristic_reviews; DROP FUNCTION characteristic_reviews_version_update();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_version_insert ON characteristic_reviews; DROP FUNCTION characteristic_reviews_version_insert();
--
-- Raw SQL operation
--
DROP TRIGGER product_meta_version ON product_meta; DROP FUNCTION product_meta_version_next();
--
-- Add field version to productmeta
--
ALTER TABLE "product_meta" DROP COLUMN "version" CASCADE;
--
-- Raw SQL operation
--
DROP SEQUENCE product_meta_version_seq;
COMMIT;
