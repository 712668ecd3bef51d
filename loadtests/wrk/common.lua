-- Shared by the wrk scenarios: product ids drawn as in loadtests/products.py (`zipf`: Zipf
-- popularity scattered over the id range, a quarter from the last 10%; `newest`: uniform over the
-- last 10%; `first500`: uniform over products 1 to 500, the original team's scenario), the page
-- sizes and sorts the front-ends ask for, and a done() that prints the run's figures as one JSON
-- line.
-- Arguments (after `--`): highest product id, highest review id, distribution (default zipf).
local common = {}

local SCATTER = 2654435761
local COUNTS = { {5, 50}, {10, 10}, {20, 10}, {100, 10}, {500, 12}, {1000, 8} }
local SORTS = { {"relevant", 50}, {"newest", 30}, {"helpful", 20} }

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

function common.setup(args)
  common.product_max = tonumber(args[1] or "1000011")
  common.review_max = tonumber(args[2] or "5774952")
  common.distribution = args[3] or "zipf"
  common.multiplier = SCATTER
  while gcd(common.multiplier, common.product_max) ~= 1 do
    common.multiplier = common.multiplier + 1
  end
  local seed = tonumber(tostring({}):match("0x(%x+)"), 16) or os.time()
  math.randomseed(seed + os.time())
end

function common.product()
  local max = common.product_max
  if common.distribution == "first500" then
    return math.random(1, math.min(500, max))  -- the original team's "products 1-500 randomized"
  end
  if common.distribution == "newest" or math.random() < 0.25 then
    local first = max - math.max(1, math.floor(max * 0.10)) + 1
    return math.random(first, max)
  end
  local rank = math.floor(math.exp(math.random() * math.log(max + 1)))
  rank = math.min(math.max(rank, 1), max)
  return (rank - 1) * common.multiplier % max + 1
end

local function weighted(choices)
  local total = 0
  for _, c in ipairs(choices) do total = total + c[2] end
  local pick = math.random() * total
  for _, c in ipairs(choices) do
    pick = pick - c[2]
    if pick <= 0 then return c[1] end
  end
  return choices[#choices][1]
end

function common.meta_path()
  return "/reviews/meta?product_id=" .. common.product()
end

-- A first page of 5 (what a product page shows first), in any sort.
function common.first_page_path()
  return string.format("/reviews?product_id=%d&count=5&sort=%s", common.product(), weighted(SORTS))
end

-- A first page with the front-ends' page sizes, or (a third of the time) a deeper page of 5.
function common.reviews_path()
  local page, count = 1, weighted(COUNTS)
  if math.random() < 0.33 then page, count = math.random(2, 5), 5 end
  return string.format("/reviews/?product_id=%d&page=%d&count=%d&sort=%s",
    common.product(), page, count, weighted(SORTS))
end

function common.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "p999_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end

return common
