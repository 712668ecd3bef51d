BEGIN;
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--
DROP TRIGGER reviews_photos_meta_truncate_cells ON reviews_photos; DROP FUNCTION reviews_photos_meta_truncate_cells();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_truncate_cells ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_truncate_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_truncate_cells ON reviews; DROP FUNCTION reviews_meta_truncate_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_photos_meta_delete_cells ON reviews_photos; DROP FUNCTION reviews_photos_meta_delete_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_photos_meta_update_cells ON reviews_photos; DROP FUNCTION reviews_photos_meta_update_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_photos_meta_insert_cells ON reviews_photos; DROP FUNCTION reviews_photos_meta_insert_cells();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_delete_cells ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_delete_cells();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_update_cells ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_update_cells();
--
-- Raw SQL operation
--
DROP TRIGGER characteristic_reviews_meta_insert_cells ON characteristic_reviews; DROP FUNCTION characteristic_reviews_meta_insert_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_delete_cells ON reviews; DROP FUNCTION reviews_meta_delete_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_update_cells ON reviews; DROP FUNCTION reviews_meta_update_cells();
--
-- Raw SQL operation
--
DROP TRIGGER reviews_meta_insert_cells ON reviews; DROP FUNCTION reviews_meta_insert_cells();
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--
DROP VIEW characteristic_meta_cells_fresh;
--
-- Raw SQL operation
--
DROP VIEW product_meta_cells_fresh;
--
-- Create model CharacteristicMetaCell
--
DROP TABLE "characteristic_meta_cells" CASCADE;
--
-- Create model ProductMetaCell
--
DROP TABLE "product_meta_cells" CASCADE;
COMMIT;
