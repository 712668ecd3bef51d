--
-- Concurrently create index reviews_reported_product_idx on field(s) product_id of model review
--
DROP INDEX CONCURRENTLY IF EXISTS "reviews_reported_product_idx";
--
-- Concurrently create index reviews_reviewer_name_idx on field(s) reviewer_name of model review
--
DROP INDEX CONCURRENTLY IF EXISTS "reviews_reviewer_name_idx";
