-- wrk script of the read-path benchmark: every request path is prepared before the run. init() reads
-- the file BENCH_PATHS (one path a line), formats each request once, and request() hands them out
-- round-robin from BENCH_OFFSET, so wrk's per-request cost is a table lookup, the same for every target.
-- init() prints BENCH_READY on stderr once the requests are ready (the load starts right after);
-- done() prints one line `BENCH_RESULT {json}` for bench/load-generator.js.
local requests = {}
local count = 0
local index = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    count = count + 1
    requests[count] = wrk.format("GET", line)
  end
  index = tonumber(os.getenv("BENCH_OFFSET") or "0") % count
  -- Reading a million paths takes seconds: the bench starts its CPU reading of the server here.
  io.stderr:write("BENCH_READY\n")
  io.stderr:flush()
end

function request()
  index = index + 1
  if index > count then index = 1 end
  return requests[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
