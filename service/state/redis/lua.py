"""The Lua scripts that make the Redis store's multi-key updates atomic.

Every script gets the key prefix as ARGV[1] and builds key names with the parts from
``keys.py``, so the layout documented there is the only one. An entry id lives in exactly one
index (``outbox:<channel>`` or ``dead:<channel>``); the entry hash holds its fields. A pending
entry's score is when it may be claimed; ``next_attempt`` in the hash is when it is planned.
"""

from __future__ import annotations

from service.state.keys import CHANNELS, DEAD, ENTRY, GATE, OUTBOX
from service.state.redis.story_lua import STORY_SCRIPTS

_PRELUDE = f"""
local P = ARGV[1]
local function ekey(id) return P .. '{ENTRY}' .. id end
local function okey(ch) return P .. '{OUTBOX}' .. ch end
local function dkey(ch) return P .. '{DEAD}' .. ch end
local function gkey(ch) return P .. '{GATE}' .. ch end
local function where(id)
  local ch = redis.call('HGET', ekey(id), 'channel')
  if not ch then return nil, nil end
  if redis.call('ZSCORE', okey(ch), id) then return 'pending', ch end
  if redis.call('ZSCORE', dkey(ch), id) then return 'dead', ch end
  return nil, ch
end
local function remove(id)
  local ch = redis.call('HGET', ekey(id), 'channel')
  if not ch then return 0 end
  redis.call('ZREM', okey(ch), id)
  redis.call('ZREM', dkey(ch), id)
  redis.call('DEL', ekey(id))
  return 1
end
local function put_entries(first)
  -- groups of 9: id, channel, alert, created_at, next_attempt, attempts, has_error, error, batch
  for i = first, #ARGV, 9 do
    local id, ch = ARGV[i], ARGV[i + 1]
    remove(id)
    local k = ekey(id)
    redis.call('HSET', k, 'channel', ch, 'alert', ARGV[i + 2], 'created_at', ARGV[i + 3],
               'next_attempt', ARGV[i + 4], 'attempts', ARGV[i + 5])
    if ARGV[i + 6] == '1' then redis.call('HSET', k, 'last_error', ARGV[i + 7]) end
    if ARGV[i + 8] ~= '' then redis.call('HSET', k, 'batch', ARGV[i + 8]) end
    redis.call('ZADD', okey(ch), ARGV[i + 4], id)
    redis.call('SADD', P .. '{CHANNELS}', ch)
  end
end
local function each_in(state, first, fn, token)
  -- fn(id, ch) for every id in ARGV[first..] that sits in index ``state`` (and, given a token,
  -- is held by it); how many it saw
  local n = 0
  for i = first, #ARGV do
    local id = ARGV[i]
    local at, ch = where(id)
    if at == state and (token == nil or redis.call('HGET', ekey(id), 'token') == token) then
      fn(id, ch)
      n = n + 1
    end
  end
  return n
end
local function raise_gate(ch, untl)
  local g = redis.call('GET', gkey(ch))
  if not g or tonumber(untl) > tonumber(g) then redis.call('SET', gkey(ch), untl) end
end
local function row(id)
  local h = redis.call('HGETALL', ekey(id))
  if #h > 0 then table.insert(h, 1, id) end
  return h
end
"""

# KEYS[1] claim key; ARGV: P, now, dedup_ttl, ttl_ms, entries... -> 1 claimed, 0 already claimed.
# The claim stores its time so an injected clock decides expiry; PX only collects garbage.
CLAIM_AND_ENQUEUE = (
    _PRELUDE
    + """
local prev = redis.call('GET', KEYS[1])
if prev and tonumber(prev) + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
put_entries(5)
return 1
"""
)

# ARGV: P, entries...
ENQUEUE = _PRELUDE + "\nput_entries(2)\nreturn 1\n"

# ARGV: P, index part (outbox:/dead:), channel ('' = every channel) -> list of {id, field, value...}
LOAD = (
    _PRELUDE
    + """
local part, ch = ARGV[2], ARGV[3]
local chans
if ch == '' then chans = redis.call('SMEMBERS', P .. '"""
    + CHANNELS
    + """') else chans = {ch} end
local out = {}
for _, c in ipairs(chans) do
  for _, id in ipairs(redis.call('ZRANGE', P .. part .. c, 0, -1)) do
    local h = row(id)
    if #h > 0 then out[#out + 1] = h end
  end
end
return out
"""
)

# ARGV: P, channel, now, limit, token, lease_until, gate_until
# -> {'wait', gate} while the gate is closed and something is due, else {'ok', row...} of the
# claimed entries (none when nothing is due)
CLAIM = (
    _PRELUDE
    + """
local ch, now, limit, token = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local due = redis.call('ZRANGEBYSCORE', okey(ch), '-inf', now, 'LIMIT', 0, limit)
if #due == 0 then return {'ok'} end
local gate = redis.call('GET', gkey(ch))
if gate and tonumber(gate) > now then return {'wait', gate} end
local chosen, order = {}, {}
local function take(id)
  if not chosen[id] then chosen[id] = true; order[#order + 1] = id end
end
for _, id in ipairs(due) do
  take(id)
  local batch = redis.call('HGET', ekey(id), 'batch')
  if batch then  -- a stored batch is claimed whole: its members share one score
    local score = redis.call('ZSCORE', okey(ch), id)
    for _, other in ipairs(redis.call('ZRANGEBYSCORE', okey(ch), score, score)) do
      if redis.call('HGET', ekey(other), 'batch') == batch then take(other) end
    end
  end
end
local out = {'ok'}
for _, id in ipairs(order) do
  redis.call('ZADD', okey(ch), ARGV[6], id)
  redis.call('HSET', ekey(id), 'token', token)
  out[#out + 1] = row(id)
end
if #order > 0 then raise_gate(ch, ARGV[7]) end
return out
"""
)

# ARGV: P, token, ids... -> how many went back to their planned time
RELEASE = (
    _PRELUDE
    + """
return each_in('pending', 3, function(id, ch)
  redis.call('ZADD', okey(ch), redis.call('HGET', ekey(id), 'next_attempt'), id)
  redis.call('HDEL', ekey(id), 'token')
end, ARGV[2])
"""
)

# ARGV: P, until, token, ids...
DEFER = (
    _PRELUDE
    + """
return each_in('pending', 4, function(id, ch)
  redis.call('HSET', ekey(id), 'next_attempt', ARGV[2])
  redis.call('HDEL', ekey(id), 'token')
  redis.call('ZADD', okey(ch), ARGV[2], id)
end, ARGV[3])
"""
)

# ARGV: P, batch, token, ids...
BIND_BATCH = (
    _PRELUDE
    + """
return each_in('pending', 4, function(id, ch)
  redis.call('HSET', ekey(id), 'batch', ARGV[2])
end, ARGV[3])
"""
)

# ARGV: P, channel -> the earliest score, not before the gate; false when nothing is pending
NEXT_DUE = (
    _PRELUDE
    + """
local first = redis.call('ZRANGE', okey(ARGV[2]), 0, 0, 'WITHSCORES')
if #first == 0 then return false end
local gate = redis.call('GET', gkey(ARGV[2]))
if gate and tonumber(gate) > tonumber(first[2]) then return gate end
return first[2]
"""
)

# ARGV: P, channel, until
PAUSE = _PRELUDE + "\nraise_gate(ARGV[2], ARGV[3])\nreturn 1\n"

# ARGV: P, ids... -> how many pending entries were removed
ACK = (
    _PRELUDE
    + """
return each_in('pending', 2, remove)
"""
)

# ARGV: P, next_attempt, error, token, ids...
RESCHEDULE = (
    _PRELUDE
    + """
return each_in('pending', 5, function(id, ch)
  redis.call('HINCRBY', ekey(id), 'attempts', 1)
  redis.call('HSET', ekey(id), 'next_attempt', ARGV[2], 'last_error', ARGV[3])
  redis.call('HDEL', ekey(id), 'token')
  redis.call('ZADD', okey(ch), ARGV[2], id)
end, ARGV[4])
"""
)

# ARGV: P, reason, now, token, ids...
DEAD_LETTER = (
    _PRELUDE
    + """
return each_in('pending', 5, function(id, ch)
  redis.call('ZREM', okey(ch), id)
  redis.call('HSET', ekey(id), 'reason', ARGV[2], 'died_at', ARGV[3])
  redis.call('HDEL', ekey(id), 'token')
  redis.call('ZADD', dkey(ch), ARGV[3], id)
end, ARGV[4])
"""
)

# ARGV: P, now, ids... -> how many came back
REVIVE = (
    _PRELUDE
    + """
return each_in('dead', 3, function(id, ch)
  redis.call('ZREM', dkey(ch), id)
  redis.call('HDEL', ekey(id), 'reason', 'died_at', 'token')
  redis.call('HSET', ekey(id), 'attempts', 0, 'next_attempt', ARGV[2])
  redis.call('ZADD', okey(ch), ARGV[2], id)
end)
"""
)

# ARGV: P, ids... -> how many were removed (pending or dead)
DROP = (
    _PRELUDE
    + """
local n = 0
for i = 2, #ARGV do n = n + remove(ARGV[i]) end
return n
"""
)

# ARGV: P -> list of {channel, pending, dead}
DEPTH = (
    _PRELUDE
    + """
local out = {}
for _, ch in ipairs(redis.call('SMEMBERS', P .. '"""
    + CHANNELS
    + """')) do
  out[#out + 1] = {ch, redis.call('ZCARD', okey(ch)), redis.call('ZCARD', dkey(ch))}
end
return out
"""
)

# KEYS: lease; ARGV: P, token -> 1 released, 0 not held by token
RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lease, feeds hash; ARGV: P, token, feed_id, state json -> 1 written, 0 lease lost
PUT_FEED_FENCED = """
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('DEL', KEYS[1])
return 1
"""

SCRIPTS = {
    "claim_and_enqueue": CLAIM_AND_ENQUEUE,
    "enqueue": ENQUEUE,
    "load": LOAD,
    "claim": CLAIM,
    "release": RELEASE,
    "bind_batch": BIND_BATCH,
    "next_due": NEXT_DUE,
    "pause": PAUSE,
    "ack": ACK,
    "reschedule": RESCHEDULE,
    "defer": DEFER,
    "dead_letter": DEAD_LETTER,
    "revive": REVIVE,
    "drop": DROP,
    "depth": DEPTH,
    "release_lease": RELEASE_LEASE,
    "put_feed_fenced": PUT_FEED_FENCED,
    **STORY_SCRIPTS,
}
"""Every script by name: ``RedisBase`` registers them once per client."""
