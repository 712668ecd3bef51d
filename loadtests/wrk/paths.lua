-- wrk scenario: GET paths drawn at random from a file of one path per line.
-- Arguments (after `--`): the file.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")
local paths = {}

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  local seed = tonumber(tostring({}):match("0x(%x+)"), 16) or os.time()
  math.randomseed(seed + os.time())
end

function request() return wrk.format("GET", paths[math.random(#paths)]) end
done = common.done
