-- wrk script for bench/run.py: each request asks a path no request of the run asked before.
-- Arguments (after --): a file of paths, one a line; the line to start from (0-based); the
-- number of threads. Thread k of n asks lines start+k, start+k+n, ...; the report says how far
-- the walk went ("walked": where the next run starts) and how many requests found the list
-- used up and asked a path again ("repeats": their answers were kept ones).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  start, step, sent, repeats = tonumber(args[2]), tonumber(args[3]), 0, 0
end

function request()
  local line = start + id + sent * step
  sent = sent + 1
  if line >= #paths then
    repeats = repeats + 1
  end
  return wrk.format("GET", paths[line % #paths + 1])
end

done = function(summary, latency, requests)
  local e, walked, repeats = summary.errors, threads[1]:get("start"), 0
  for _, thread in ipairs(threads) do
    local last = thread:get("start") + thread:get("id") + thread:get("sent") * thread:get("step")
    walked = math.max(walked, last - thread:get("step") + 1)
    repeats = repeats + thread:get("repeats")
  end
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"non2xx": %d, "socket_errors": %d, "walked": %d, "repeats": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout, walked, repeats))
end
