package casestudy

import "time"

// Response is what a payment request ends with.
type Response uint8

// The responses. Success and Declined are final (non-retryable) and are
// recorded against the idempotency key; Retryable ends an attempt that may
// be tried again with the same key.
const (
	None Response = iota
	Success
	Declined
	Retryable
)

// PreAction is what the pre-RPC phase tells the service to do.
type PreAction uint8

// The pre-RPC outcomes.
const (
	PreProceed  PreAction = iota // key taken (new or lease expired): make the RPC
	PreReplay                    // a final response is recorded: return it, no RPC
	PreConflict                  // another attempt holds the key's lease: retryable error
	PreMismatch                  // the key was first used with other parameters (PreFor only)
)

type idemRecord struct {
	resp  Response      // None while in flight
	lease time.Duration // in flight until then
	fp    uint64        // fingerprint of the request's parameters (PreFor)
	ref   uint64        // the caller's reference to the recorded result (PostRef)
}

// IdemStore is Orpheus's idempotency table: one row per idempotency key.
// Pre-RPC runs in its own database transaction (record the request and take
// a lease on the key); the RPC runs with no transaction held; post-RPC runs
// in a second transaction (record a final response, or release the key
// after a retryable failure). A crash between the two leaves the key leased
// until the lease expires, after which a retry takes it over. It is
// single-threaded and never reads the clock.
type IdemStore struct {
	rows  map[uint64]*idemRecord
	lease time.Duration

	Replays, Conflicts, Takeovers, Mismatches uint64
}

// NewIdemStore returns an empty table whose leases last lease.
func NewIdemStore(lease time.Duration) *IdemStore {
	return &IdemStore{rows: map[uint64]*idemRecord{}, lease: lease}
}

// Pre is the pre-RPC phase for key at now; for PreReplay it also returns the
// recorded response.
func (s *IdemStore) Pre(key uint64, now time.Duration) (PreAction, Response) {
	act, resp, _ := s.PreFor(key, 0, now)
	return act, resp
}

// PreFor is Pre for a request whose parameters have fingerprint fp (Stripe's
// idempotency layer compares a retry's parameters with the first request's):
// a key recorded with another fingerprint is refused with PreMismatch and
// left as it is; PreReplay also returns the reference PostRef recorded.
func (s *IdemStore) PreFor(key, fp uint64, now time.Duration) (PreAction, Response, uint64) {
	r, ok := s.rows[key]
	if !ok {
		s.rows[key] = &idemRecord{lease: now + s.lease, fp: fp}
		return PreProceed, None, 0
	}
	if r.fp != fp {
		s.Mismatches++
		return PreMismatch, None, 0
	}
	if r.resp != None {
		s.Replays++
		return PreReplay, r.resp, r.ref
	}
	if now < r.lease {
		s.Conflicts++
		return PreConflict, None, 0
	}
	s.Takeovers++ // the holder died between phases: take the key over
	r.lease = now + s.lease
	return PreProceed, None, 0
}

// Post is the post-RPC phase: a final response is recorded for good; a
// retryable one releases the key so that the next attempt makes the RPC
// again (with the same key, which the payment processor deduplicates on).
func (s *IdemStore) Post(key uint64, resp Response) { s.PostRef(key, resp, 0) }

// PostRef is Post that also records ref (what a replay returns with the
// response, e.g. the object a request created).
func (s *IdemStore) PostRef(key uint64, resp Response, ref uint64) {
	if resp == Retryable {
		delete(s.rows, key)
		return
	}
	if r, ok := s.rows[key]; ok {
		r.resp, r.ref = resp, ref
	}
}

// Keys is the number of keys the table holds.
func (s *IdemStore) Keys() int { return len(s.rows) }

// Processor is the remote payment processor. With honourKeys it honours
// idempotency keys: the first request with a key decides (charge or
// decline), and every later request with that key gets the same answer
// without a new charge. Without, every request is a new charge attempt, so
// only the caller's own records stand between a retry and a second charge.
// Charges are counted per payment.
type Processor struct {
	honourKeys bool
	decided    map[uint64]Response // key → Success or Declined
	Charges    []uint32            // per payment
}

// NewProcessor returns a processor with no charges that honours idempotency
// keys or not.
func NewProcessor(honourKeys bool) *Processor {
	return &Processor{honourKeys: honourKeys, decided: map[uint64]Response{}}
}

// Process handles a request for payment under key: with honoured keys a key
// seen before gets its first answer; otherwise (or for a new key) it is
// declined if decline is set and charged otherwise.
func (p *Processor) Process(payment int, key uint64, decline bool) Response {
	for len(p.Charges) <= payment {
		p.Charges = append(p.Charges, 0)
	}
	if r, ok := p.decided[key]; ok && p.honourKeys {
		return r
	}
	r := Success
	if decline {
		r = Declined
	} else {
		p.Charges[payment]++
	}
	p.decided[key] = r
	return r
}
