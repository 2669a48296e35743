// Package ratelimit holds the classic rate limiters and judges them by
// accuracy, fairness and cost (dsbench issue 5).
//
// Definitions follow the standard sources: the token bucket as in
// golang.org/x/time/rate and RFC 2697; the leaky bucket as a meter in its
// GCRA form (ATM Forum TM 4.0 / ITU-T I.371: T = 1/r, τ = T·burst) and as a
// queue (Tanenbaum, Computer Networks §5.4); the fixed window, the sliding
// window log and the sliding window counter as Cloudflare describes them
// ("How we built rate limiting capable of scaling to millions of domains",
// 2017); a concurrency (in-flight) limiter as in Netflix's
// concurrency-limits. golang.org/x/time/rate itself is registered as the
// reference token bucket.
//
// Every limiter is pure: time comes in as an argument (nanoseconds since the
// run's start) and is never read inside, and every computation is integer
// arithmetic on nanoseconds with the rate held exactly as a fixed-point
// fraction, so a run of any length neither drifts nor depends on float
// rounding. Times that go backwards (two wall-clock workers racing for a
// lock) are clamped to the latest time seen. x/time/rate does not clamp: an
// op admitted at an earlier time moves its clock back, and the next op
// refills over that interval again; the x-time-rate target keeps that
// behaviour, since it stands for the library as users run it.
package ratelimit
