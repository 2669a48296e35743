package casestudy

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

func testCharge(r *rand.Rand, id uint64) *Charge {
	c := &Charge{ID: id, IDStr: "ch_test", Amount: int64(r.IntN(100000)), Created: 1500000000 + int64(id),
		Currency: uint8(r.IntN(len(stripeCurrencies))), Status: uint8(r.IntN(len(stripeStatuses))),
		Brand: uint8(r.IntN(len(stripeBrands))), Risk: uint8(r.IntN(len(stripeRisks))), Customer: uint16(r.IntN(1024)),
		Captured: r.IntN(2) == 0, Description: "test"}
	switch r.IntN(3) {
	case 0:
		c.Refunded = c.Amount
	case 1:
		c.Refunded = c.Amount / 2
	}
	return c
}

// TestStripeTransformsCompose: for every version of a 200-version chain,
// the latest response walked back through the chain's modules equals the
// response rendered natively from that version's schema (built forwards
// from version 0), for charges covering every derived flag's value; the
// walk applies exactly latest − v modules.
func TestStripeTransformsCompose(t *testing.T) {
	vs := NewVersions(200)
	kinds := map[int]int{}
	for _, c := range vs.Changes {
		kinds[c.Kind]++
	}
	for k := 0; k < chKinds; k++ {
		if kinds[k] == 0 {
			t.Errorf("no %s change in the chain", ChangeNames[k])
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	var pool ObjPool
	for i := 0; i < 40; i++ {
		c := testCharge(r, uint64(i))
		for v := 0; v <= vs.Latest(); v++ {
			pool.Reset()
			o := vs.Render(c, vs.Latest(), &pool)
			st, err := vs.Transform(o, vs.Latest(), v, &pool)
			if err != nil {
				t.Fatalf("charge %d to version %d: %v", i, v, err)
			}
			if st.Modules != vs.Latest()-v {
				t.Fatalf("to version %d: %d modules, want %d", v, st.Modules, vs.Latest()-v)
			}
			want := vs.Render(c, v, &pool)
			if !o.Equal(want) {
				t.Fatalf("charge %d at version %d (%s):\n got %v\nwant %v", i, v, vs.Dates[v], o, want)
			}
		}
	}
	// Version 0 is the original API: flat card keys, decimal amounts.
	pool.Reset()
	c := &Charge{ID: 7, IDStr: "ch_7", Amount: 1234, Refunded: 1234, Status: 0, Description: "d"}
	o := vs.Render(c, vs.Latest(), &pool)
	if _, err := vs.Transform(o, vs.Latest(), 0, &pool); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"amount": `"12.34"`, "paid": "true", "refunded": "true", "card_brand": `"visa"`} {
		if !strings.Contains(o.String(), k+":"+want) {
			t.Errorf("version 0 lacks %s:%s: %v", k, want, o)
		}
	}
}

// TestStripeCheckerCatchesBrokenChain: a chain with one module skipped, or
// two applied in the wrong order, does not match the native rendering.
func TestStripeCheckerCatchesBrokenChain(t *testing.T) {
	vs := NewVersions(40)
	r := rand.New(rand.NewPCG(3, 4))
	c := testCharge(r, 9)
	var pool ObjPool
	matches := func(apply func(o *Obj) error) bool {
		pool.Reset()
		o := vs.Render(c, vs.Latest(), &pool)
		if err := apply(o); err != nil {
			return false
		}
		return o.Equal(vs.Render(c, 0, &pool))
	}
	if !matches(func(o *Obj) error { _, err := vs.Transform(o, vs.Latest(), 0, &pool); return err }) {
		t.Fatal("the correct chain does not match")
	}
	skip := func(o *Obj) error {
		for v := vs.Latest(); v > 0; v-- {
			if v == 17 {
				continue
			}
			if _, err := vs.Changes[v-1].undo(o, &pool); err != nil {
				return err
			}
		}
		return nil
	}
	if matches(skip) {
		t.Error("a chain skipping version 17's module matches")
	}
	swapped := func(o *Obj) error {
		for v := 1; v <= vs.Latest(); v++ { // oldest first: wrong order
			if _, err := vs.Changes[v-1].undo(o, &pool); err != nil {
				return err
			}
		}
		return nil
	}
	if matches(swapped) {
		t.Error("a chain applied oldest first matches")
	}
}

func TestStripeRenderAllocs(t *testing.T) {
	vs := NewVersions(64)
	c := testCharge(rand.New(rand.NewPCG(5, 6)), 3)
	var pool ObjPool
	step := func() {
		pool.Reset()
		o := vs.Render(c, vs.Latest(), &pool)
		if _, err := vs.Transform(o, vs.Latest(), 0, &pool); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if a := testing.AllocsPerRun(100, step); a != 0 {
		t.Errorf("render + 63 transforms allocate %v times", a)
	}
}

const stripeName = "casestudy/stripe-versioning"

// TestStripeCountsExact: with every account N versions behind and reads
// only, every request runs exactly N modules on one object; pinning=false
// runs none; versions_behind_p99 is N.
func TestStripeCountsExact(t *testing.T) {
	spec := "mix=read:1 keys=uniform:n=5000 arrival=poisson:rate=1000"
	for _, n := range []int{0, 5, 31} {
		raw := map[string]string{"versions": "32", "pins": "behind:n=" + itoa(n), "api_error_rate": "0"}
		m := runSim(t, stripeName, spec, raw, 2000, 1).Metrics
		if m["transforms_per_request"] != float64(n) || m["versions_behind_p99"] != float64(n) || m["objects_rendered"] != 2000 {
			t.Errorf("behind %d: transforms_per_request %v, versions_behind_p99 %v, objects %v", n, m["transforms_per_request"], m["versions_behind_p99"], m["objects_rendered"])
		}
	}
	raw := map[string]string{"versions": "32", "pins": "behind:n=31", "pinning": "false"}
	if m := runSim(t, stripeName, spec, raw, 2000, 1).Metrics; m["transforms_per_request"] != 0 || m["versions_behind_p99"] != 0 {
		t.Errorf("pinning=false: %v transforms per request, p99 behind %v", m["transforms_per_request"], m["versions_behind_p99"])
	}
	// A list returns page objects, each walked back.
	raw = map[string]string{"versions": "10", "pins": "behind:n=9", "accounts": "1", "page": "7", "api_error_rate": "0"}
	if m := runSim(t, stripeName, "mix=scan:1 keys=uniform:n=5000", raw, 500, 1).Metrics; m["transforms_per_request"] != 63 || m["transforms_per_object"] != 9 {
		t.Errorf("lists of 7 at 9 behind: %v per request, %v per object", m["transforms_per_request"], m["transforms_per_object"])
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestStripeErrorsAndIdempotency: every request ends as a success or as
// exactly one error type; keyed retries after a committed 500 never create a
// second charge, keyless ones do; a reused key with other parameters is an
// idempotency_error.
func TestStripeErrorsAndIdempotency(t *testing.T) {
	spec := "mix=insert:0.5,read:0.5 keys=uniform:n=2000 arrival=poisson:rate=2000"
	base := map[string]string{"api_error_rate": "0.3", "retries": "5", "key_reuse": "0", "decline_rate": "0.1"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	rep := runSim(t, stripeName, spec, with("idempotent_share", "1"), 4000, 3)
	m := rep.Metrics
	if m["duplicate_charges"] != 0 || m["idempotent_replays"] == 0 {
		t.Errorf("all keyed: %v duplicate charges, %v replays", m["duplicate_charges"], m["idempotent_replays"])
	}
	errs := m["errors_invalid_request_error"] + m["errors_api_error"] + m["errors_idempotency_error"]
	if float64(rep.Errors) != errs || float64(rep.Denied) != m["errors_card_error"] {
		t.Errorf("errors %d denied %d, metrics %v + card %v", rep.Errors, rep.Denied, errs, m["errors_card_error"])
	}
	if m["errors_card_error"] != m["code_card_declined"] || m["errors_idempotency_error"] != 0 {
		t.Errorf("card errors %v codes %v; idempotency errors %v", m["errors_card_error"], m["code_card_declined"], m["errors_idempotency_error"])
	}
	if m := runSim(t, stripeName, spec, with("idempotent_share", "0"), 4000, 3).Metrics; m["duplicate_charges"] == 0 || m["idempotent_replays"] != 0 {
		t.Errorf("no keys: %v duplicate charges, %v replays", m["duplicate_charges"], m["idempotent_replays"])
	}
	m = runSim(t, stripeName, spec, with("idempotent_share", "1", "key_reuse", "0.2", "api_error_rate", "0"), 4000, 3).Metrics
	if m["errors_idempotency_error"] == 0 || m["errors_idempotency_error"] != m["code_idempotency_params_mismatch"]+m["code_idempotency_key_in_use"] ||
		m["code_idempotency_params_mismatch"] != m["reused_keys"] {
		t.Errorf("reused keys %v: idempotency errors %v (mismatch %v, in use %v)", m["reused_keys"], m["errors_idempotency_error"], m["code_idempotency_params_mismatch"], m["code_idempotency_key_in_use"])
	}
}

func TestStripeDeterministicAndWall(t *testing.T) {
	a := runSim(t, stripeName, "", nil, 3000, 5)
	b := runSim(t, stripeName, "", nil, 3000, 5)
	algotest.SameRun(t, stripeName, a, b)
	if _, ok := a.Metrics["transform_ns"]; ok {
		t.Error("a virtual-time run reports transform_ns, a wall-clock figure")
	}
	rep := algotest.Run(t, stripeName, map[string]string{"pins": "behind:n=40"}, "mix=read:1 keys=uniform:n=5000", algotest.Options{Clock: algorithms.Wall, Ops: 20000, Workers: 2, Seed: 1})
	if rep.Metrics["transform_ns"] <= 0 || rep.Metrics["transforms_per_request"] != 40 {
		t.Errorf("wall: transform_ns %v, transforms_per_request %v", rep.Metrics["transform_ns"], rep.Metrics["transforms_per_request"])
	}
	wantBad(t, stripeName, map[string]string{"pins": "zipf:s=1"}, "pins", "zipf:theta=")
	wantBad(t, stripeName, map[string]string{"pins": "pareto"}, "unknown form", "uniform")
}
