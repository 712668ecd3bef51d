BEGIN;
--
-- Create model CharacteristicMeta
--
CREATE TABLE "characteristic_meta" ("characteristic_id" integer NOT NULL PRIMARY KEY, "value_1" integer NOT NULL, "value_2" integer NOT NULL, "value_3" integer NOT NULL, "value_4" integer NOT NULL, "value_5" integer NOT NULL, "rating_count" integer GENERATED ALWAYS AS ((((("value_1" + "value_2") + "value_3") + "value_4") + "value_5")) STORED, "rating_sum" integer GENERATED ALWAYS AS ((((("value_1" + (2 * "value_2")) + (3 * "value_3")) + (4 * "value_4")) + (5 * "value_5"))) STORED);
--
-- Create model ProductMeta
--
CREATE TABLE "product_meta" ("product_id" integer NOT NULL PRIMARY KEY, "rating_1" integer NOT NULL, "rating_2" integer NOT NULL, "rating_3" integer NOT NULL, "rating_4" integer NOT NULL, "rating_5" integer NOT NULL, "recommend_false" integer NOT NULL, "recommend_true" integer NOT NULL);
--
-- Raw SQL operation
--

CREATE VIEW product_meta_fresh AS
SELECT product_id,
       count(*) FILTER (WHERE rating = 1)::integer AS rating_1,
       count(*) FILTER (WHERE rating = 2)::integer AS rating_2,
       count(*) FILTER (WHERE rating = 3)::integer AS rating_3,
       count(*) FILTER (WHERE rating = 4)::integer AS rating_4,
       count(*) FILTER (WHERE rating = 5)::integer AS rating_5,
       count(*) FILTER (WHERE NOT recommend)::integer AS recommend_false,
       count(*) FILTER (WHERE recommend)::integer AS recommend_true
FROM reviews
WHERE NOT reported
GROUP BY product_id
;
--
-- Raw SQL operation
--

CREATE VIEW characteristic_meta_fresh AS
SELECT c.characteristic_id,
       count(*) FILTER (WHERE c.value = 1)::integer AS value_1,
       count(*) FILTER (WHERE c.value = 2)::integer AS value_2,
       count(*) FILTER (WHERE c.value = 3)::integer AS value_3,
       count(*) FILTER (WHERE c.value = 4)::integer AS value_4,
       count(*) FILTER (WHERE c.value = 5)::integer AS value_5
FROM characteristic_reviews c
JOIN reviews r ON r.id = c.review_id
WHERE NOT r.reported
GROUP BY c.characteristic_id
;
--
-- Raw SQL operation
--
LOCK TABLE reviews, characteristic_reviews IN SHARE MODE;
--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_insert() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;

INSERT INTO product_meta AS m (product_id, rating_1, rating_2, rating_3, rating_4, rating_5, recommend_false, recommend_true)
SELECT d.product_id,
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 5), 0),
       coalesce(sum(d.sign) FILTER (WHERE NOT d.recommend), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.recommend), 0)
FROM (SELECT r.product_id, r.rating, r.recommend, 1 AS sign FROM new_rows r WHERE NOT r.reported) AS d
GROUP BY d.product_id
HAVING sum(d.sign) FILTER (WHERE d.rating = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 5) <> 0 OR sum(d.sign) FILTER (WHERE NOT d.recommend) <> 0 OR sum(d.sign) FILTER (WHERE d.recommend) <> 0
ORDER BY d.product_id
ON CONFLICT (product_id) DO UPDATE SET
    rating_1 = m.rating_1 + excluded.rating_1,
    rating_2 = m.rating_2 + excluded.rating_2,
    rating_3 = m.rating_3 + excluded.rating_3,
    rating_4 = m.rating_4 + excluded.rating_4,
    rating_5 = m.rating_5 + excluded.rating_5,
    recommend_false = m.recommend_false + excluded.recommend_false,
    recommend_true = m.recommend_true + excluded.recommend_true;

INSERT INTO characteristic_meta AS m (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, c.value, 1 AS sign FROM new_rows r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id
ON CONFLICT (characteristic_id) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_insert AFTER INSERT ON reviews
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_insert();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_update() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
IF NOT EXISTS (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) AND NOT EXISTS (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) THEN
    RETURN NULL;
END IF;
LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;

INSERT INTO product_meta AS m (product_id, rating_1, rating_2, rating_3, rating_4, rating_5, recommend_false, recommend_true)
SELECT d.product_id,
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 5), 0),
       coalesce(sum(d.sign) FILTER (WHERE NOT d.recommend), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.recommend), 0)
FROM (SELECT r.product_id, r.rating, r.recommend, -1 AS sign FROM (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) r WHERE NOT r.reported
UNION ALL
SELECT r.product_id, r.rating, r.recommend, 1 AS sign FROM (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) r WHERE NOT r.reported) AS d
GROUP BY d.product_id
HAVING sum(d.sign) FILTER (WHERE d.rating = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 5) <> 0 OR sum(d.sign) FILTER (WHERE NOT d.recommend) <> 0 OR sum(d.sign) FILTER (WHERE d.recommend) <> 0
ORDER BY d.product_id
ON CONFLICT (product_id) DO UPDATE SET
    rating_1 = m.rating_1 + excluded.rating_1,
    rating_2 = m.rating_2 + excluded.rating_2,
    rating_3 = m.rating_3 + excluded.rating_3,
    rating_4 = m.rating_4 + excluded.rating_4,
    rating_5 = m.rating_5 + excluded.rating_5,
    recommend_false = m.recommend_false + excluded.recommend_false,
    recommend_true = m.recommend_true + excluded.recommend_true;

INSERT INTO characteristic_meta AS m (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, c.value, -1 AS sign FROM (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.reported) = (x.id, x.reported))) r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported
UNION ALL
SELECT c.characteristic_id, c.value, 1 AS sign FROM (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.reported) = (x.id, x.reported))) r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id
ON CONFLICT (characteristic_id) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_update AFTER UPDATE ON reviews
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_update();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_delete() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;

INSERT INTO product_meta AS m (product_id, rating_1, rating_2, rating_3, rating_4, rating_5, recommend_false, recommend_true)
SELECT d.product_id,
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.rating = 5), 0),
       coalesce(sum(d.sign) FILTER (WHERE NOT d.recommend), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.recommend), 0)
FROM (SELECT r.product_id, r.rating, r.recommend, -1 AS sign FROM old_rows r WHERE NOT r.reported) AS d
GROUP BY d.product_id
HAVING sum(d.sign) FILTER (WHERE d.rating = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.rating = 5) <> 0 OR sum(d.sign) FILTER (WHERE NOT d.recommend) <> 0 OR sum(d.sign) FILTER (WHERE d.recommend) <> 0
ORDER BY d.product_id
ON CONFLICT (product_id) DO UPDATE SET
    rating_1 = m.rating_1 + excluded.rating_1,
    rating_2 = m.rating_2 + excluded.rating_2,
    rating_3 = m.rating_3 + excluded.rating_3,
    rating_4 = m.rating_4 + excluded.rating_4,
    rating_5 = m.rating_5 + excluded.rating_5,
    recommend_false = m.recommend_false + excluded.recommend_false,
    recommend_true = m.recommend_true + excluded.recommend_true;

INSERT INTO characteristic_meta AS m (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, c.value, -1 AS sign FROM old_rows r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id
ON CONFLICT (characteristic_id) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_delete AFTER DELETE ON reviews
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_delete();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_truncate() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
DELETE FROM product_meta;
DELETE FROM characteristic_meta;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_truncate AFTER TRUNCATE ON reviews
FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_truncate();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_insert() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;

PERFORM FROM reviews WHERE id IN (SELECT c.review_id FROM new_rows c)
ORDER BY id FOR NO KEY UPDATE;
PERFORM FROM product_meta WHERE product_id IN (
    SELECT r.product_id FROM new_rows c JOIN reviews r ON r.id = c.review_id)
ORDER BY product_id FOR NO KEY UPDATE;

INSERT INTO characteristic_meta AS m (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, c.value, 1 AS sign FROM new_rows c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id
ON CONFLICT (characteristic_id) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_insert AFTER INSERT ON characteristic_reviews
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_insert();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_update() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
IF NOT EXISTS (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) AND NOT EXISTS (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) THEN
    RETURN NULL;
END IF;
LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;

PERFORM FROM reviews WHERE id IN (SELECT c.review_id FROM (SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) c)
ORDER BY id FOR NO KEY UPDATE;
PERFORM FROM product_meta WHERE product_id IN (
    SELECT r.product_id FROM (SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) c JOIN reviews r ON r.id = c.review_id)
ORDER BY product_id FOR NO KEY UPDATE;

INSERT INTO characteristic_meta AS m (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, c.value, -1 AS sign FROM (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported
UNION ALL
SELECT c.characteristic_id, c.value, 1 AS sign FROM (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id
ON CONFLICT (characteristic_id) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_update AFTER UPDATE ON characteristic_reviews
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_update();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_delete() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;

PERFORM FROM reviews WHERE id IN (SELECT c.review_id FROM old_rows c)
ORDER BY id FOR NO KEY UPDATE;
PERFORM FROM product_meta WHERE product_id IN (
    SELECT r.product_id FROM old_rows c JOIN reviews r ON r.id = c.review_id)
ORDER BY product_id FOR NO KEY UPDATE;

INSERT INTO characteristic_meta AS m (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, c.value, -1 AS sign FROM old_rows c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id
ON CONFLICT (characteristic_id) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_delete AFTER DELETE ON characteristic_reviews
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_delete();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_truncate() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
DELETE FROM characteristic_meta;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_truncate AFTER TRUNCATE ON characteristic_reviews
FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_truncate();

--
-- Raw SQL operation
--

INSERT INTO product_meta (product_id, rating_1, rating_2, rating_3, rating_4, rating_5,
                          recommend_false, recommend_true)
SELECT product_id, rating_1, rating_2, rating_3, rating_4, rating_5, recommend_false, recommend_true
FROM product_meta_fresh
;
--
-- Raw SQL operation
--

INSERT INTO characteristic_meta (characteristic_id, value_1, value_2, value_3, value_4, value_5)
SELECT characteristic_id, value_1, value_2, value_3, value_4, value_5
FROM characteristic_meta_fresh
;
COMMIT;
