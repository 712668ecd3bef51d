-- The cache's warm pass (run with -t1): once each, for products first..last, the meta and the
-- first page of 5 in every sort, beginning at request number `start`; once through, it repeats
-- the first request (a cache hit). done() prints the number of the next request to send.
-- Arguments (after `--`): first product id, last product id, start.
local PATHS = {
  "/reviews/meta?product_id=%d",
  "/reviews?product_id=%d&count=5&sort=relevant",
  "/reviews?product_id=%d&count=5&sort=newest",
  "/reviews?product_id=%d&count=5&sort=helpful",
}
local worker

function setup(thread) worker = thread end

function init(args)
  first, last, next_request = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
  total = (last - first + 1) * #PATHS
end

function request()
  local n = next_request
  if n >= total then n = 0 else next_request = next_request + 1 end
  local product = first + math.floor(n / #PATHS)
  return wrk.format("GET", string.format(PATHS[n % #PATHS + 1], product))
end

function done(summary, latency, requests)
  io.write(string.format("WARM_NEXT %d\n", worker:get("next_request")))
end
