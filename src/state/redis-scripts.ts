import { DAY_MS, UNSETTLED_MS, USAGE_SLOT_MS } from "./ledger.js";

/**
 * The rules of the send state as Redis scripts, one per step: each runs atomically in Redis,
 * over one record per key (`<prefix>key:<hash>`, `recent:<fingerprint>`, `res:<id>`,
 * `issued:<hash>`, `used:<hash>`, `declined:<payload>`, and the `usage` and `open` hashes of five-minute sums and
 * open reservations, and one person's alike: `pusage:<person>` and `popen:<person>`), so a step never moves the whole state and is never retried for
 * contention. Time is Redis's (TIME), unless a test passes its own.
 *
 * Every step first checks the state marker: a key set once per state, kept without expiry.
 * An instance that has seen it and finds it gone (FLUSHALL, eviction, a restart without
 * persistence) or replaced by another instance's fresh start records why in `<prefix>lost`,
 * and every step of every instance then fails closed until an operator re-initialises the
 * state (`clicksend-mcp state init`, which writes a marker ending in ":init" that instances adopt).
 *
 * ARGV: 1 prefix, 2 the marker the caller has seen ("" if none), 3 the caller's time in ms ("":
 * Redis's), 4 a new marker should this be the first step ever, 5 the step's JSON.
 * Each returns JSON: { marker, ... } or { lost = why }.
 */
const PRELUDE = `
local P = ARGV[1]
local expected = ARGV[2]
local DAY = ${DAY_MS}
local UNSETTLED = ${UNSETTLED_MS}
local SLOT = ${USAGE_SLOT_MS}
local function now_ms()
  if ARGV[3] ~= '' then return tonumber(ARGV[3]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function lose(why)
  redis.call('SET', P .. 'lost', why)
  return cjson.encode({ lost = why })
end
local function check_marker()
  local lost = redis.call('GET', P .. 'lost')
  if lost then return nil, cjson.encode({ lost = lost }) end
  local marker = redis.call('GET', P .. 'marker')
  if not marker then
    if expected == '' then
      redis.call('SET', P .. 'marker', ARGV[4])
      return ARGV[4]
    end
    return nil, lose('the state marker ' .. P .. 'marker is gone: Redis was flushed, evicted keys or restarted without persistence')
  end
  if expected ~= '' and marker ~= expected and string.sub(marker, -5) ~= ':init' then
    return nil, lose('the state marker ' .. P .. 'marker was replaced by a fresh one: the state was lost (flushed, evicted or restarted without persistence) and another instance started anew')
  end
  return marker
end
local function alive(id)
  local owner = redis.call('HGET', P .. 'res:' .. id, 'owner')
  return owner and redis.call('EXISTS', P .. 'alive:' .. owner) == 1
end
local function tampered(what)
  return redis.error_reply('TAMPERED ' .. what)
end
`;

export const RESERVE = `${PRELUDE}
local marker, failed = check_marker()
if not marker then return failed end
local r = cjson.decode(ARGV[5])
local now = now_ms()
local function refuse(refusal) return cjson.encode({ marker = marker, refusal = refusal }) end
if redis.call('EXISTS', P .. 'gone:' .. r.id) == 1 then
  return cjson.encode({ marker = marker, released = true })
end

if r.key then
  local k = redis.call('HMGET', P .. 'key:' .. r.key, 'at', 'id', 'fp', 'tag', 'outcome', 'result')
  local at = tonumber(k[1])
  if at and at > now - DAY then
    local seen = { at = at, tag = k[4] }
    if k[3] ~= r.fp then return refuse({ kind = 'key_other_send', at = at, tag = k[4] }) end
    if k[5] == 'sent' and k[6] then
      return refuse({ kind = 'key_replay', at = at, tag = k[4], result = cjson.decode(k[6]) })
    end
    if k[5] == 'pending' then
      if alive(k[2]) and now - at < UNSETTLED then
        return refuse({ kind = 'key_in_progress', at = at, tag = k[4] })
      end
      return refuse({ kind = 'key_maybe_sent', at = at, tag = k[4], interrupted = true })
    end
    return refuse({ kind = 'key_maybe_sent', at = at, tag = k[4], interrupted = false })
  end
end

-- A token's refusal, if any; preview marks one of a preview passed along with an answer.
local function token_refusal(t, preview)
  local function r_(refusal)
    if preview then refusal.preview = true end
    return refusal
  end
  local used = tonumber(redis.call('HGET', P .. 'used:' .. t.hash, 'at'))
  if used and used > now - DAY then return r_({ kind = 'confirmation_used', at = used }) end
  local i = redis.call('HMGET', P .. 'issued:' .. t.hash, 'at', 'until', 'payload', 'channel')
  local issuedAt = tonumber(i[1])
  if not issuedAt or issuedAt <= now - DAY then return r_({ kind = 'confirmation_unknown' }) end
  local untilAt = tonumber(i[2])
  if now >= untilAt then return r_({ kind = 'confirmation_expired', ['until'] = untilAt }) end
  if i[3] ~= t.payload then return r_({ kind = 'confirmation_mismatch', channel = i[4] }) end
  return nil
end
for _, t in ipairs({ { r.conf, false }, { r.prev, true } }) do
  if t[1] then
    local refusal = token_refusal(t[1], t[2])
    if refusal then return refuse(refusal) end
  end
end

if r.payload then
  local d = redis.call('HMGET', P .. 'declined:' .. r.payload, 'at', 'until')
  local noAt, noUntil = tonumber(d[1]), tonumber(d[2])
  if noAt and noUntil > now then
    local asked = r.answered and r.conf and tonumber(redis.call('HGET', P .. 'issued:' .. r.conf.hash, 'at'))
    -- Same millisecond: asked as the no was recorded, not before it.
    if not (asked and asked >= noAt) then
      return refuse({ kind = 'declined', at = noAt, ['until'] = noUntil })
    end
  end
end

if r.window > 0 then
  local matched = {}
  local first
  for _, fp in ipairs(r.contents) do
    local e = redis.call('HMGET', P .. 'recent:' .. fp, 'at', 'id', 'tag', 'settled', 'until')
    local untilAt = tonumber(e[5])
    if untilAt and untilAt > now then
      matched[#matched + 1] = fp
      first = first or e
    end
  end
  if first then
    local at = tonumber(first[1])
    local unsettled = first[4] ~= '1'
    local pending = unsettled and now - at < UNSETTLED and alive(first[2])
    return refuse({ kind = 'duplicate', at = at, tag = first[3], pending = pending,
      interrupted = unsettled and not pending, matched = matched })
  end
end

-- The day's messages and spend in hashes of "at|messages|amount" (named for a tampered value),
-- deleting what is older than a day; nil and an error reply on a value no send writes.
local function day_sum(names)
  local messages, amount = 0, 0
  for _, name in ipairs(names) do
    local rows = redis.call('HGETALL', P .. name)
    for i = 1, #rows, 2 do
      local at, m, a = string.match(rows[i + 1], '^(%-?%d+)|(%-?%d+)|(%-?%d+)$')
      at, m, a = tonumber(at), tonumber(m), tonumber(a)
      if not at then return nil, tampered(name .. ' ' .. rows[i]) end
      if m < 0 or a < 0 then return nil, tampered('a negative count in ' .. name) end
      if at > now - DAY then
        messages = messages + m
        amount = amount + a
      else
        redis.call('HDEL', P .. name, rows[i])
      end
    end
  end
  return messages, amount
end
local function over(limitMessages, limitSpend, usedMessages, usedAmount, prefix)
  if limitMessages and usedMessages + r.messages > limitMessages then
    return { kind = prefix .. '_messages', limit = limitMessages, used = usedMessages, requested = r.messages }
  end
  if limitSpend and usedAmount + r.amount > limitSpend then
    return { kind = prefix .. '_spend', limit = limitSpend, used = usedAmount, requested = r.amount }
  end
  return nil
end

local usedMessages, usedAmount = day_sum({ 'usage', 'open' })
if not usedMessages then return usedAmount end
local refusal = over(r.limitMessages, r.limitSpend, usedMessages, usedAmount, 'daily')
if refusal then return refuse(refusal) end
local p = r.person
-- Summed with or without limits of the person's own: the sum also prunes their day's hashes.
if p then
  local m, a = day_sum({ 'pusage:' .. p.key, 'popen:' .. p.key })
  if not m then return a end
  refusal = over(p.limitMessages, p.limitSpend, m, a, 'person_daily')
  if refusal then return refuse(refusal) end
end

redis.call('HSET', P .. 'open', r.id, now .. '|' .. r.messages .. '|' .. r.amount)
if p then
  redis.call('HSET', P .. 'popen:' .. p.key, r.id, now .. '|' .. r.messages .. '|' .. r.amount)
  redis.call('PEXPIRE', P .. 'popen:' .. p.key, DAY + SLOT)
end
local res = P .. 'res:' .. r.id
redis.call('HSET', res, 'at', now, 'messages', r.messages, 'amount', r.amount, 'owner', r.owner,
  'tag', r.tag, 'key', r.key or '', 'fps', r.window > 0 and cjson.encode(r.contents) or '',
  'person', p and p.key or '')
redis.call('PEXPIRE', res, DAY)
if r.key then
  local key = P .. 'key:' .. r.key
  redis.call('DEL', key)
  redis.call('HSET', key, 'at', now, 'id', r.id, 'fp', r.fp, 'tag', r.tag, 'outcome', 'pending')
  redis.call('PEXPIRE', key, DAY)
end
if r.window > 0 then
  for _, fp in ipairs(r.contents) do
    local recent = P .. 'recent:' .. fp
    redis.call('DEL', recent)
    redis.call('HSET', recent, 'at', now, 'id', r.id, 'tag', r.tag, 'until', now + r.window, 'settled', 0)
    redis.call('PEXPIRE', recent, r.window)
  end
end
for _, t in ipairs({ r.conf or false, r.prev or false }) do
  if t then
    redis.call('DEL', P .. 'issued:' .. t.hash)
    redis.call('HSET', P .. 'used:' .. t.hash, 'at', now, 'id', r.id)
    redis.call('PEXPIRE', P .. 'used:' .. t.hash, DAY)
  end
end
if r.payload and r.answered then redis.call('DEL', P .. 'declined:' .. r.payload) end
return cjson.encode({ marker = marker, ok = true })
`;

/** ARGV 5: { hash, payload, ttl }: spends a question's token and records the no to its payload. */
export const DECLINE = `${PRELUDE}
local marker, failed = check_marker()
if not marker then return failed end
local r = cjson.decode(ARGV[5])
local now = now_ms()
redis.call('DEL', P .. 'issued:' .. r.hash)
redis.call('HSET', P .. 'used:' .. r.hash, 'at', now, 'id', 'declined')
redis.call('PEXPIRE', P .. 'used:' .. r.hash, DAY)
local no = P .. 'declined:' .. r.payload
redis.call('HSET', no, 'at', now, 'until', now + r.ttl)
redis.call('PEXPIRE', no, r.ttl)
return cjson.encode({ marker = marker, ok = true })
`;

export const ISSUE = `${PRELUDE}
local marker, failed = check_marker()
if not marker then return failed end
local r = cjson.decode(ARGV[5])
local now = now_ms()
local key = P .. 'issued:' .. r.hash
redis.call('HSET', key, 'at', now, 'until', now + r.ttl, 'payload', r.payload, 'channel', r.channel)
redis.call('PEXPIRE', key, DAY)
return cjson.encode({ marker = marker, ok = true })
`;

export const SETTLE = `${PRELUDE}
local marker, failed = check_marker()
if not marker then return failed end
local r = cjson.decode(ARGV[5])
local res = P .. 'res:' .. r.id
local h = redis.call('HMGET', res, 'at', 'messages', 'amount', 'key', 'fps', 'person')
redis.call('HDEL', P .. 'open', r.id)
local person = (h[6] and h[6] ~= '') and h[6] or nil
if person then redis.call('HDEL', P .. 'popen:' .. person, r.id) end
local fps = (h[5] and h[5] ~= '') and cjson.decode(h[5]) or {}
if r.outcome == 'not_sent' then
  if h[4] and h[4] ~= '' and redis.call('HGET', P .. 'key:' .. h[4], 'id') == r.id then
    redis.call('DEL', P .. 'key:' .. h[4])
  end
  for _, fp in ipairs(fps) do
    if redis.call('HGET', P .. 'recent:' .. fp, 'id') == r.id then redis.call('DEL', P .. 'recent:' .. fp) end
  end
  redis.call('DEL', res)
  -- A reservation that reaches Redis after its release (a late reply) takes nothing. An hour is
  -- far longer than a command can wait in a connection before Redis reads it.
  redis.call('SET', P .. 'gone:' .. r.id, 1, 'PX', 3600000)
  return cjson.encode({ marker = marker, ok = true })
end
if not h[1] then return cjson.encode({ marker = marker, ok = true }) end
if h[4] ~= '' then
  local key = P .. 'key:' .. h[4]
  if redis.call('HGET', key, 'id') == r.id and redis.call('HGET', key, 'outcome') == 'pending' then
    redis.call('HSET', key, 'outcome', r.outcome)
    if r.outcome == 'sent' and r.result then redis.call('HSET', key, 'result', r.result) end
  end
end
for _, fp in ipairs(fps) do
  local recent = P .. 'recent:' .. fp
  if redis.call('HGET', recent, 'id') == r.id then redis.call('HSET', recent, 'settled', 1) end
end
local at = tonumber(h[1])
local messages, amount = tonumber(h[2]), tonumber(h[3])
if r.outcome == 'sent' then
  messages = r.messages or messages
  amount = r.amount or amount
end
local slot = tostring(math.floor(at / SLOT))
-- Adds this send to its slot's sum in a usage hash; an error reply on a value no send writes.
local function add_usage(name)
  local sum = redis.call('HGET', P .. name, slot)
  local sumAt, sumMessages, sumAmount = at, messages, amount
  if sum then
    local sat, sm, sa = string.match(sum, '^(%-?%d+)|(%-?%d+)|(%-?%d+)$')
    if not sat then return tampered(name .. ' ' .. slot) end
    sumAt = math.max(at, tonumber(sat))
    sumMessages = messages + tonumber(sm)
    sumAmount = amount + tonumber(sa)
  end
  redis.call('HSET', P .. name, slot, sumAt .. '|' .. sumMessages .. '|' .. sumAmount)
  redis.call('PEXPIRE', P .. name, DAY + SLOT)
  return nil
end
local bad = add_usage('usage')
if bad then return bad end
if person then
  bad = add_usage('pusage:' .. person)
  if bad then return bad end
end
redis.call('DEL', res)
return cjson.encode({ marker = marker, ok = true })
`;

/** ARGV 5: { id, day, record, oldest, ttl }: the latest record of an id replaces the earlier. */
export const AUDIT = `${PRELUDE}
local r = cjson.decode(ARGV[5])
local order = P .. 'audit:' .. r.day
local records = P .. 'auditrec:' .. r.day
if not redis.call('ZSCORE', order, r.id) then
  redis.call('ZADD', order, redis.call('INCR', P .. 'auditseq'), r.id)
end
redis.call('HSET', records, r.id, r.record)
redis.call('EXPIRE', order, r.ttl)
redis.call('EXPIRE', records, r.ttl)
redis.call('SADD', P .. 'auditdays', r.day)
for _, day in ipairs(redis.call('SMEMBERS', P .. 'auditdays')) do
  if day < r.oldest then
    redis.call('DEL', P .. 'audit:' .. day, P .. 'auditrec:' .. day)
    redis.call('SREM', P .. 'auditdays', day)
  end
end
return cjson.encode({ ok = true })
`;

/**
 * ARGV 5: { hashes, ttl }: numbers that replied an opt-out keyword, one key each
 * (`optout:<hash>`) holding when its mark ends, expiring then; marking again extends it.
 */
export const OPT_OUT_MARK = `${PRELUDE}
local marker, failed = check_marker()
if not marker then return failed end
local r = cjson.decode(ARGV[5])
local now = now_ms()
for _, h in ipairs(r.hashes) do
  local key = P .. 'optout:' .. h
  local old = tonumber(redis.call('GET', key)) or 0
  if now + r.ttl > old then
    redis.call('SET', key, now + r.ttl)
    redis.call('PEXPIRE', key, r.ttl)
  end
end
return cjson.encode({ marker = marker, ok = true })
`;
