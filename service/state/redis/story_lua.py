"""The Lua scripts of the Redis store's stories: lookup, add and lead, each one round trip.

Layout (``keys.py``, numbers in ``stories.py``): an entry is a string ``entry:<ref>``; its band
keys live in time-sliced hashes ``b:<k>:<slice>:<bucket>``, field = the band key (8 bytes),
value = the refs (records, below) added under that band during the slice. A slice is ``2^k``
seconds (``k`` from the entry's lifetime); ``slices`` maps each ``k`` in use to its newest slice,
so a lookup (which has no clock) knows which slices to read.

A record is one ref: byte 0 and 8 raw bytes for a 16-hex ref (``item_ref``), else its length
byte and its bytes. A field holds at most ``per_field`` records (7 x 9 bytes fit a 64-byte
listpack value); more continue in the field ``<band><n>`` (n = 1, 2, ...) of the same hash.

An entry's value is ``<expires_at>|<seen_at>|<k>|`` + ``StoryEntry.to_bytes()``. The expiry
written by the caller's clock decides whether a stored ref is still kept (Redis's own TTLs only
collect the garbage), so a test clock and the wall clock agree. A record in slice ``s`` of
``k`` counts only if its entry has that ``k`` and was seen in ``s``: a ref that expired and was
added anew (always in a later slice, as a slice is shorter than a lifetime) does not count its
old bands.

Every script names a key of the stories' slot in KEYS (``slices``, the entry key, the lead
key), so a cluster client routes it; the slice and entry keys it builds from the prefixes in
ARGV share that slot through the ``{s}`` hash tag (``keys.py``).
"""

from __future__ import annotations

# Shared by lookup and add: record parsing, field chains, slice names, entry headers.
_COMMON = """
local function fmt(n) return string.format('%.0f', n) end
local function each_record(value, visit)
  local i, n = 1, 0
  while i <= #value do
    local size = string.byte(value, i)
    if size == 0 then size = 8 end
    if visit then visit(string.sub(value, i, i + size)) end
    i, n = i + size + 1, n + 1
  end
  return n
end
local function chain(key, field, per_field, visit)
  local name, n = field, 0
  while true do
    local value = redis.call('HGET', key, name)
    if not value or each_record(value, visit) < per_field then return end
    n = n + 1
    name = field .. n
  end
end
local function ref_of(record)
  if string.byte(record, 1) ~= 0 then return string.sub(record, 2) end
  return string.format(string.rep('%02x', 8), string.byte(record, 2, 9))
end
local function header(value)
  local expires, seen, k = string.match(value, '^([^|]*)|([^|]*)|([^|]*)|')
  return tonumber(expires), tonumber(seen), tonumber(k)
end
local function slice_of(value)
  local _, seen, k = header(value)
  return fmt(k) .. ':' .. fmt(math.floor(seen / 2 ^ k))
end
"""

# KEYS[1] slices; ARGV: slice key prefix, entry key prefix, since, limit, slices per lifetime,
# per_field, then band field and bucket pairs
# -> {ref, value, ref, value, ...}: most shared bands first, then newest (then by ref)
STORY_LOOKUP = (
    _COMMON
    + """
local since, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
local span, per_field = 2 * tonumber(ARGV[5]) + 1, tonumber(ARGV[6])
local sizes = redis.call('HGETALL', KEYS[1])
-- per ref: its count and slice (a ref found in two slices, added anew after expiring, keeps a
-- count per slice until its entry says which one is live)
local count, where, others, start, records = {}, {}, {}, {}, {}
for i = 1, #sizes, 2 do
  local k, newest = tonumber(sizes[i]), tonumber(sizes[i + 1])
  for s = newest, math.max(math.floor(since / 2 ^ k), newest - span), -1 do
    local at = fmt(k) .. ':' .. fmt(s)
    start[at] = s * 2 ^ k
    local function visit(record)
      local per = others[record]
      if per then
        per[at] = (per[at] or 0) + 1
      elseif not count[record] then
        count[record], where[record] = 1, at
        records[#records + 1] = record
      elseif where[record] == at then
        count[record] = count[record] + 1
      else
        others[record] = {[where[record]] = count[record], [at] = 1}
      end
    end
    for j = 7, #ARGV, 2 do chain(ARGV[1] .. at .. ':' .. ARGV[j + 1], ARGV[j], per_field, visit) end
  end
end
local candidates = {}
for _, record in ipairs(records) do
  local per = others[record]
  if per then
    local value = redis.call('GETRANGE', ARGV[2] .. ref_of(record), 0, 63)
    local at = value ~= '' and slice_of(value)
    count[record], where[record] = at and per[at], at
  end
  if count[record] then candidates[#candidates + 1] = record end
end
table.sort(candidates, function(a, b)
  if count[a] ~= count[b] then return count[a] > count[b] end
  local sa, sb = start[where[a]], start[where[b]]
  if sa ~= sb then return sa > sb end
  return a < b
end)
-- a group (same count, same slice; same count only when slices of two sizes are in use) is
-- ranked after every group before it, so entry headers are read a group at a time (only
-- their first 64 bytes) until the limit is reached, and whole entries only for the answer
local single = #sizes == 2
local function group(record) return count[record] .. ':' .. (single and where[record] or '') end
local out, i = {}, 1
while i <= #candidates and #out < 2 * limit do
  local found, name = {}, group(candidates[i])
  while i <= #candidates and group(candidates[i]) == name do
    local record = candidates[i]
    local ref = ref_of(record)
    local head = redis.call('GETRANGE', ARGV[2] .. ref, 0, 63)
    if head ~= '' then
      local _, seen = header(head)
      if seen >= since and slice_of(head) == where[record] then found[#found + 1] = {ref, seen} end
    end
    i = i + 1
  end
  table.sort(found, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] < b[1]
  end)
  for _, entry in ipairs(found) do
    local value = #out < 2 * limit and redis.call('GET', ARGV[2] .. entry[1])
    if value then
      out[#out + 1] = entry[1]
      out[#out + 1] = value
    end
  end
end
return out
"""
)

# KEYS[1] slices, KEYS[2] entry key; ARGV: slice key prefix, entry key prefix, now, lifetime (s),
# lifetime (ms), k, record, value, slices per lifetime, per_field, then band field and bucket
# pairs -> 1 stored, 0 kept (the ref is stored and not expired).
# The slice in which entries of this lifetime expire now, and the one before, are read under the
# new entry's bands: an expired entry found there is deleted (older ones have their slice hash
# and their own PX expire them; this sweep is for a clock that is not Redis's).
STORY_ADD = (
    _COMMON
    + """
local now, lifetime, k = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6])
local slices, per_field = tonumber(ARGV[9]), tonumber(ARGV[10])
local function expired(value)
  return not value or (header(value) or math.huge) <= now
end
local function keep(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, fmt(ms)) end
end
if not expired(redis.call('GET', KEYS[2])) then return 0 end
redis.call('SET', KEYS[2], ARGV[8], 'PX', ARGV[5])
local size = 2 ^ k
local slice = math.floor(now / size)
local kept_ms = math.ceil(((slice + 1) * size + lifetime - now) * 1000)
local sizes = redis.call('HGETALL', KEYS[1])
for i = 1, #sizes, 2 do  -- a slice size nothing of which can be alive any more leaves
  local other = tonumber(sizes[i])
  if (tonumber(sizes[i + 1]) + 2 * slices + 2) * 2 ^ other <= now then
    redis.call('HDEL', KEYS[1], sizes[i])
  end
end
local newest = tonumber(redis.call('HGET', KEYS[1], fmt(k)))
if not newest or newest < slice then redis.call('HSET', KEYS[1], fmt(k), fmt(slice)) end
keep(KEYS[1], kept_ms)
local function sweep(record)
  local key = ARGV[2] .. ref_of(record)
  local value = redis.call('GET', key)
  if value and expired(value) then redis.call('DEL', key) end
end
local expiring = math.floor((now - lifetime) / size)
for j = 11, #ARGV, 2 do
  local field, bucket = ARGV[j], ARGV[j + 1]
  for s = expiring - 1, expiring do
    chain(ARGV[1] .. fmt(k) .. ':' .. fmt(s) .. ':' .. bucket, field, per_field, sweep)
  end
  local key, name, n = ARGV[1] .. fmt(k) .. ':' .. fmt(slice) .. ':' .. bucket, field, 0
  while true do
    local value = redis.call('HGET', key, name)
    if not value then
      redis.call('HSET', key, name, ARGV[7])
      break
    end
    if each_record(value) < per_field then
      redis.call('HSET', key, name, value .. ARGV[7])
      break
    end
    n = n + 1
    name = field .. n
  end
  keep(key, kept_ms)
end
return 1
"""
)

# KEYS[1] lead hash; ARGV: alert key, title, last_seen, window, ttl_ms -> {key, title, seen}
# The rule of ``Stories.story_lead`` (``sqlite/stories.py`` ``next_lead`` in Python).
STORY_LEAD = """
local seen = tonumber(ARGV[3])
local lead = redis.call('HMGET', KEYS[1], 'key', 'title', 'seen')
if not lead[1] or tonumber(lead[3]) < seen - tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'key', ARGV[1], 'title', ARGV[2], 'seen', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return {ARGV[1], ARGV[2], ARGV[3]}
end
if lead[1] ~= ARGV[1] and tonumber(lead[3]) < seen then
  redis.call('HSET', KEYS[1], 'seen', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  lead[3] = ARGV[3]
end
return lead
"""

STORY_SCRIPTS = {"story_lookup": STORY_LOOKUP, "story_add": STORY_ADD, "story_lead": STORY_LEAD}
