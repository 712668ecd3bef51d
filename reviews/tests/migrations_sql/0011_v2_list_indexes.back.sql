--
-- Concurrently create index reviews_product_search_idx on field(s)  of model review
--
DROP INDEX CONCURRENTLY IF EXISTS "reviews_product_search_idx";
--
-- Concurrently create index reviews_product_rating_low_idx on field(s)  of model review
--
DROP INDEX CONCURRENTLY IF EXISTS "reviews_product_rating_low_idx";
--
-- Concurrently create index reviews_product_rating_idx on field(s)  of model review
--
DROP INDEX CONCURRENTLY IF EXISTS "reviews_product_rating_idx";
--
-- Creates extension btree_gin
--
DROP EXTENSION IF EXISTS "btree_gin";
