--
-- Concurrently create index reviews_reported_filters_idx on field(s) rating, recommend of model review
--
DROP INDEX CONCURRENTLY IF EXISTS "reviews_reported_filters_idx";
