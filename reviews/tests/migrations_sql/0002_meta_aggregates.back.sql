BEGIN;
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_truncate ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_truncate();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_delete ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_delete();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_update ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_update();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_insert ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_insert();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_truncate ON reviews; DROP FUNCTION reviews_meta_truncate();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_delete ON reviews; DROP FUNCTION reviews_meta_delete();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_update ON reviews; DROP FUNCTION reviews_meta_update();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_insert ON reviews; DROP FUNCTION reviews_meta_insert();
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--
DROP VIEW characteristic_meta_fresh;
--
-- Raw SQL operation
--
DROP VIEW product_meta_fresh;
--
-- Create model ProductMeta
--
DROP TABLE "product_meta" CASCADE;
--
-- Create model CharacteristicMeta
--
DROP TABLE "characteristic_meta" CASCADE;
COMMIT;
