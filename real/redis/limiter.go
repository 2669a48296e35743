package redis

import (
	"context"
	"strconv"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dsbench/dsbench/workloads"
)

// gcraScript is GCRA (the leaky bucket as a meter) on one key holding the
// theoretical arrival time tat in µs: with emission interval T = 1/rate and
// τ = burst·T, an op at now conforms if max(tat, now) + T − now <= τ, and
// then tat advances by T — ratelimit.GCRA's rule, in Redis's clock.
// ARGV: T (µs), τ (µs). Returns 1 admitted, 0 denied.
var gcraScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local T = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local tat = now
local v = redis.call('GET', KEYS[1])
if v then tat = math.max(tonumber(v), now) end
local new_tat = tat + T
if new_tat - now > tau then return 0 end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return 1
`)

// slidingScript is the sliding window log: a sorted set of the admission
// times (µs) of the last window; an op is admitted when fewer than
// N = floor(rate·window) lie in (now − window, now] — ratelimit's
// sliding-log rule. ARGV: window (µs), N, a member unique to this op.
var slidingScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local w = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - w)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(w / 1000) + 1)
return 1
`)

// limiter makes each op a decision of one script on the key of its client
// (keyed) or on one key (global).
type limiter struct {
	script *goredis.Script
	args   []any // the script's fixed arguments
	log    bool  // the script takes a unique member after them
	global bool
	prefix string
	id     string // this process's part of a sliding-window member
	seq    atomic.Uint64
}

func (l *limiter) decide(ctx context.Context, c *goredis.Client, op *workloads.Op) (bool, error) {
	key := l.prefix + "global"
	if !l.global {
		key = l.prefix + strconv.FormatUint(uint64(op.Client), 10)
	}
	args := l.args
	if l.log {
		args = append(args[:len(args):len(args)], l.id+strconv.FormatUint(l.seq.Add(1), 36))
	}
	n, err := l.script.Run(ctx, c, []string{key}, args...).Int()
	return n == 1, err
}
