-- Requests and the report for `make bench` (bench/speed.py runs wrk with this script).
--
-- BENCH_MODE (environment):
--   static   every request is wrk's own (the URL, with the -H headers); nothing per request
--   get      GET a random path from the file BENCH_PATHS (one a line)
--   meeting  POST a meeting with 3 views (worker, citizen, doctor) and fresh UUIDs to a random
--            path from BENCH_PATHS; held_on is a random day from BENCH_DATES (comma-separated)
-- The session cookie and X-CSRFToken come in as -H headers (wrk.headers).
-- done() prints one line, "BENCH {json}", with the counts and latency percentiles (µs).

local mode = os.getenv("BENCH_MODE") or "static"
local paths, dates = {}, {}
local counter = 0
local setups = 0

function setup(thread)
   setups = setups + 1
   thread:set("bench_thread", setups)
end

local function hex(n)
   return string.format("%0" .. n .. "x", math.random(0, 16 ^ n - 1))
end

local function uuid4()
   -- random, plus the thread and a counter in the last group: unique within a run for sure,
   -- and across runs because the seed differs (time, thread)
   counter = counter + 1
   return hex(4) .. hex(4) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" ..
      string.format("%x", 8 + math.random(0, 3)) .. hex(3) .. "-" ..
      string.format("%02x%010x", (bench_thread or 0) % 256, counter)
end

function init(args)
   if mode == "static" then
      return
   end
   for line in io.lines(os.getenv("BENCH_PATHS")) do
      if #line > 0 then
         paths[#paths + 1] = line
      end
   end
   for day in string.gmatch(os.getenv("BENCH_DATES") or "", "[^,]+") do
      dates[#dates + 1] = day
   end
   math.randomseed(os.time() * 1009 + (bench_thread or 0) * 7919 + math.floor((os.clock() * 1e6) % 1e6))
   wrk.headers["Content-Type"] = "application/json"
end

local modes = { "in_person", "in_person", "phone", "video", "home_visit" }

local function meeting_body()
   return string.format(
      '{"id":"%s","held_on":"%s","mode":"%s","participants":["citizen","doctor"],'
         .. '"note":"Talte om praktikken og næste skridt.","expectations":['
         .. '{"id":"%s","source":"worker","value":%d,"confidence":"medium"},'
         .. '{"id":"%s","source":"citizen","value":%d,"confidence":"high"},'
         .. '{"id":"%s","source":"doctor","source_label":"egen læge","value":%d,"confidence":"low"}]}',
      uuid4(), dates[math.random(#dates)], modes[math.random(#modes)],
      uuid4(), math.random(0, 10), uuid4(), math.random(0, 10), uuid4(), math.random(0, 10))
end

if mode == "get" then
   function request()
      return wrk.format("GET", paths[math.random(#paths)])
   end
elseif mode == "meeting" then
   function request()
      return wrk.format("POST", paths[math.random(#paths)], nil, meeting_body())
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
         .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, '
         .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
